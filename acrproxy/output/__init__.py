"""The one output layer: every format renders the one `Report` model.

`FORMATS` lists the report formats (a new format is a new module and one entry here);
`acrproxy.output.terminal` has the rich renderables the live view and `decode` print.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from acrproxy.files import write_private
from acrproxy.output import explain, html, jsonout, markdown, mermaid, text
from acrproxy.report import Report


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    EXPLAIN = "explain"
    MARKDOWN = "markdown"
    MERMAID = "mermaid"
    HTML = "html"


FORMATS: dict[Format, Callable[[Report], str]] = {
    Format.TEXT: text.render,
    Format.JSON: jsonout.render,
    Format.EXPLAIN: explain.render,
    Format.MARKDOWN: markdown.render,
    Format.MERMAID: mermaid.render,
    Format.HTML: html.render,
}


def render(report: Report, fmt: Format) -> str:
    """The report in `fmt`, as text ending in a newline."""
    return FORMATS[fmt](report)


def write_report(report: Report, path: str | Path, fmt: Format = Format.JSON) -> None:
    """Write the report to `path` (atomically, mode 0600): `run --report` and `analyze -o`."""
    write_private(path, render(report, fmt))


__all__ = ["FORMATS", "Format", "render", "write_report"]
