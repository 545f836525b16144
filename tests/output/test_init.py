"""The output registry: every format renders; the report writer is shared and private."""

from __future__ import annotations

from pathlib import Path

from acrproxy.analysis import Session
from acrproxy.output import FORMATS, Format, render, write_report
from tests.flows import ex


def test_every_format_is_registered_and_renders() -> None:
    assert set(FORMATS) == set(Format)
    s = Session()
    s.feed(ex("https://r.test/v2/", status=401))
    for fmt in Format:
        assert "CHALLENGE_MISSING" in render(s.report(), fmt)


def test_write_report_is_private(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    write_report(Session().report(), p)
    assert p.stat().st_mode & 0o777 == 0o600 and '"findings"' in p.read_text()


def test_every_format_on_each_of_the_five_captures() -> None:
    from tests.captures import SCENARIOS, report_of

    for name in SCENARIOS:
        report = report_of(name)
        for fmt in Format:
            out = render(report, fmt)
            for f in report.findings:
                assert f.code in out or fmt is Format.MERMAID and not report.auth_flows, (
                    name,
                    fmt,
                    f.code,
                )
