"""The report as plain text: the terminal view without colour, at any width."""

from __future__ import annotations

import io

from rich.console import Console

from acrproxy.output.terminal import report_view
from acrproxy.report import Report


def render(report: Report) -> str:
    buf = io.StringIO()
    Console(file=buf, soft_wrap=True, highlight=False, no_color=True, width=200).print(
        report_view(report)
    )
    return buf.getvalue()
