"""`mitmdump -s addons/entry.py` loads every addon; the core never imports the addons or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

from mitmproxy.addonmanager import traverse
from mitmproxy.test import taddons

from acrproxy.addons import default_addons

ROOT = Path(__file__).resolve().parents[2]


def test_entry_script_loads_in_mitmproxy() -> None:
    with taddons.context() as tctx:
        script = tctx.script(str(ROOT / "addons" / "entry.py"))
        names = {type(a).__name__ for a in traverse(script.addons)} - {"Acrproxy"}
    assert names == {"ClientFilter", "ReadSize", "Streamer", "Analyzer", "HarWriter", "LiveView"}
    order = [type(a).__name__ for a in default_addons()]
    assert order.index("Streamer") < order.index("Analyzer") < order.index("HarWriter")


def imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_core_never_imports_addons_cli_or_ctx() -> None:
    for path in (ROOT / "acrproxy").rglob("*.py"):
        if path.name in ("cli.py", "__main__.py"):
            continue
        found = imports(path)
        assert not any(m.startswith(("acrproxy.addons", "acrproxy.cli")) for m in found), path
        assert "mitmproxy.ctx" not in found, path
