"""The report as plain text: the terminal view without colour, at any width."""

from __future__ import annotations

import io

from acrproxy.output.terminal import console, report_view
from acrproxy.report import Report


def render(report: Report) -> str:
    buf = io.StringIO()
    console(buf, no_color=True, width=200).print(report_view(report))
    return buf.getvalue()
