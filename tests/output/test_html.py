"""The HTML report: one self-contained file, hostile values shown as text, small enough to
attach, and working in a real browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from acrproxy.analysis import Session
from acrproxy.mitmflow import from_flow
from acrproxy.output import html
from acrproxy.report import Report
from tests.captures import SCENARIOS, flows_of, report_of
from tests.flows import T0, flow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = "<script>alert(1)</script>"


def hostile_report() -> Report:
    s = Session()
    s.feed(
        from_flow(
            flow(
                "https://r.test/v2/",
                status=401,
                at=T0,
                resp_headers={
                    "WWW-Authenticate": f'Bearer realm="https://a.test/{HOSTILE}",service="{HOSTILE}",'
                    'scope="repository:a:pull"'
                },
            )
        )
    )
    s.feed(
        from_flow(
            flow(
                "https://r.test/v2/x/manifests/v1",
                status=None,
                at=T0 + 1,
                error=f"boom {HOSTILE} <img src=x onerror=alert(2)>",
            )
        )
    )
    return s.report()


def test_self_contained_nothing_loaded_from_elsewhere() -> None:
    for name in SCENARIOS:
        page = html.render(report_of(name))
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), name
        assert "<link" not in page and "@import" not in page and "url(http" not in page


def test_traffic_values_are_text_not_markup() -> None:
    page = html.render(hostile_report())
    assert HOSTILE not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_thousand_requests_make_a_report_under_2_mb() -> None:
    s = Session()
    flows = flows_of("authenticated-pull")
    for i in range(200):
        for f in flows:
            ex = from_flow(f)
            ex.id = f"{i}-{ex.id}"
            ex.started += i * 5
            s.feed(ex)
    report = s.report()
    assert report.requests == 1000
    assert len(html.render(report).encode()) < 2 * 1024 * 1024


def browser():  # noqa: ANN201 - Playwright's types
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (scripts/test-deps installs it as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    return sync_playwright, exe


def check_page(b, name: str, report: Report, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / f"{name}.html"
    path.write_text(html.render(report))
    page = b.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    local = ("file:", "data:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else problems.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert problems == [], (name, problems)  # no console error, no network request
    for f in report.findings:
        assert page.locator(f"article[data-code='{f.code}']").is_visible(), f.code
    for af in report.auth_flows:
        svg = page.locator(f"#auth-flow-{af.id} svg.seq")
        lanes = int(svg.get_attribute("data-lanes") or 0)
        assert lanes == svg.locator("g.lane").count() >= 2
    rows = page.locator("#requests-table tbody tr")
    challenged = sum(1 for r in report.exchanges if r.status == 401)
    if challenged:  # the filter works
        page.select_option("#f-status", "401")
    visible = sum(1 for i in range(rows.count()) if rows.nth(i).is_visible())
    assert visible == (challenged or len(report.exchanges)), name
    page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
    page.close()


def test_in_a_real_browser(tmp_path: Path) -> None:
    sync_playwright, exe = browser()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        for name in SCENARIOS:
            check_page(b, name, report_of(name), tmp_path)
        b.close()
    assert os.path.getsize(ARTIFACTS / "report-authenticated-pull.png") > 10_000
