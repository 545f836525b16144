"""check-health's result: a terminal table, or JSON (acrproxy/schemas/health.schema.json)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from acrproxy.health import HealthReport, Status
from acrproxy.output.jsonout import dumps

STYLE = {
    Status.OK: "green",
    Status.WARNING: "yellow",
    Status.ERROR: "bold red",
    Status.SKIPPED: "dim",
}


def table(report: HealthReport) -> RenderableType:
    t = Table(title=f"check-health {report.registry}", show_lines=False, expand=False)
    for col in ("check", "status", "ms", "detail"):
        t.add_column(col, overflow="fold")
    for c in report.checks:
        detail = Text(c.detail)
        if c.code:
            detail = Text.assemble((c.code.value, STYLE[c.status]), " ", c.detail)
        if c.fix:
            detail.append(f"\nfix: {c.fix}", "dim")
        t.add_row(c.name, Text(c.status.value, STYLE[c.status]), f"{c.elapsed_ms:.0f}", detail)
    verdict = Text(
        "healthy" if report.ok else "unhealthy", "bold green" if report.ok else "bold red"
    )
    parts: list[RenderableType] = [t, Text.assemble("result: ", verdict)]
    if report.findings:
        parts.append(Text("findings in the probe's own traffic: " + ", ".join(report.findings)))
    return Group(*parts)


def render(report: HealthReport) -> str:
    return dumps(report.model_dump(mode="json"))
