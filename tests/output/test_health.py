"""check-health's table and JSON: every check shown, fixes for problems, nothing secret."""

from __future__ import annotations

import io
import json

from rich.console import Console

from acrproxy.health import CheckResult, HealthCode, HealthReport, Status
from acrproxy.output.health import render, table


def report() -> HealthReport:
    return HealthReport(
        registry="r.test",
        ok=False,
        checks=[
            CheckResult(name="DNS", status=Status.OK, detail="r.test is 127.0.0.1"),
            CheckResult(
                name="storage host",
                status=Status.ERROR,
                code=HealthCode.STORAGE_ERROR,
                detail="s.test answered 403 for /x?sig=s3cret",
                fix="allow it",
            ),
        ],
    )


def test_table_shows_each_check_and_the_fix() -> None:
    buf = io.StringIO()
    Console(file=buf, width=160).print(table(report()))
    out = buf.getvalue()
    assert "STORAGE_ERROR" in out and "fix: allow it" in out and "unhealthy" in out


def test_json_is_scrubbed() -> None:
    data = json.loads(render(report()))
    assert data["ok"] is False and "s3cret" not in json.dumps(data)
