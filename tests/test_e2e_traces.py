"""End to end: `acrproxy run --har` with real skopeo traffic, killed with SIGKILL."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from tests.conftest import BOB
from tests.harness.proxy import ProxyProcess, pull_via
from tests.test_har import SCHEMA

pytestmark = pytest.mark.e2e


def test_har_survives_kill_9_and_analyses_like_the_live_view(registry, tmp_path):
    har = tmp_path / "capture.har"
    proxy = ProxyProcess(tmp_path / "p", registry.ca, "--har", str(har)).start()
    try:
        pull_via(proxy, registry.registry_addr, str(tmp_path / "o"))
    finally:
        proxy.kill()  # SIGKILL: no shutdown hook runs
    assert proxy.proc is not None and proxy.proc.returncode == -9
    data = json.loads(har.read_text())
    jsonschema.validate(data, SCHEMA)
    entries = data["log"]["entries"]
    assert any(
        e["request"]["url"].startswith("https://blob.acrproxy-storage.test") for e in entries
    )
    assert BOB[1] not in har.read_text()
    blob = next(
        e
        for e in entries
        if "/blobs/sha256/" in e["request"]["url"]
        and e["request"]["method"] == "GET"
        and e["response"]["status"] == 200
        and e["response"]["content"].get("_sha256")
    )
    assert blob["response"]["content"]["_sha256"] == registry.layer_digest
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", "--format", "json", str(har)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    (flow,) = [f for f in report["auth_flows"] if f["retry"]]
    assert flow["retry"]["status"] == 200 and flow["token"]["request"]["username"] == "bob"
    assert [(g["type"], g["name"], g["actions"]) for g in flow["granted"]] == [
        ("repository", "team/app", ["pull"])
    ]
    assert "auth flow #1" in proxy.output


def test_run_html_is_the_same_report_as_analyze_of_its_har(registry, tmp_path):
    """run --html writes, at exit, the HTML that analyze --format html makes of its own trace."""
    har, html = tmp_path / "t.har", tmp_path / "r.html"
    proxy = ProxyProcess(tmp_path / "p", registry.ca, "--har", str(har), "--html", str(html))
    proxy.start()
    try:
        pull_via(proxy, registry.registry_addr, str(tmp_path / "o"))
    finally:
        proxy.stop()
    live = html.read_text()
    assert html.stat().st_mode & 0o777 == 0o600
    assert "Auth flow #1" in live and "svg" in live and "sha256 verified" in live.lower()
    again = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", "--format", "html", str(har)],
        capture_output=True,
        text=True,
    )
    for words in ("Auth flow #1", "as bob (Basic credentials", "correctly sent no token there"):
        assert words in live and words in again.stdout, words
    assert BOB[1] not in live
