"""Tests mirror the code: every module of the core and every addon has its own test module."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXEMPT = {"__init__.py", "__main__.py", "entry.py"}


def expected_tests() -> dict[Path, Path]:
    out: dict[Path, Path] = {}
    for module in (ROOT / "acrproxy").rglob("*.py"):
        rel = module.relative_to(ROOT / "acrproxy")
        if module.name not in EXEMPT:
            out[module] = ROOT / "tests" / rel.parent / f"test_{module.name}"
    for module in (ROOT / "addons").glob("*.py"):
        if module.name not in EXEMPT:
            out[module] = ROOT / "tests" / "addons" / f"test_{module.name}"
    out[ROOT / "addons" / "entry.py"] = ROOT / "tests" / "addons" / "test_entry.py"
    out[ROOT / "acrproxy" / "output" / "__init__.py"] = ROOT / "tests" / "output" / "test_init.py"
    return out


def test_every_module_has_a_matching_test_file() -> None:
    missing = [
        f"{m.relative_to(ROOT)} MUST have a matching test file: {t.relative_to(ROOT)}"
        for m, t in expected_tests().items()
        if not t.exists()
    ]
    assert not missing, "\n".join(missing)
