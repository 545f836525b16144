"""Golden files of the text formats on the five test captures (tests/captures.py).

Regenerate after an intended change: python -m tests.output.golden
"""

from __future__ import annotations

from pathlib import Path

from acrproxy.output import Format, render
from tests.captures import SCENARIOS, report_of

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"
SUFFIX = {Format.EXPLAIN: "txt", Format.MARKDOWN: "md", Format.MERMAID: "mmd"}


def golden(name: str, fmt: Format) -> Path:
    return DATA / f"{name}.{SUFFIX[fmt]}"


def check(fmt: Format) -> None:
    for name in SCENARIOS:
        assert render(report_of(name), fmt) == golden(name, fmt).read_text(), (name, fmt)


if __name__ == "__main__":
    DATA.mkdir(parents=True, exist_ok=True)
    for name in SCENARIOS:
        for fmt in SUFFIX:
            golden(name, fmt).write_text(render(report_of(name), fmt))
    print(f"wrote {DATA}")
