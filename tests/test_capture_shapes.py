"""`acrproxy analyze` on HAR files shaped like Chrome's, Firefox's and Fiddler's exports.

The fixtures in data/shapes/ carry each tool's quirks (Chrome: HTTP/2 pseudo-headers, lower-case
names, _initiator; Firefox: pageref, HTTP/2; Fiddler: UTF-8 BOM, base64 content, -1 timings) and
the same ACR scenario: challenge, token, manifest, blob 307, then Authorization sent to storage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from acrproxy.cli import main

SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
EXPECTED = ["CREDENTIAL_LEAK_ON_REDIRECT", "DOUBLE_AUTH_ON_SIGNED_URL", "STORAGE_AUTH_ERROR"]


def analyze(capsys, path: Path) -> tuple[int, dict]:
    rc = main(["analyze", "--format", "json", str(path)])
    return rc, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("shape", ["chrome", "firefox", "fiddler"])
def test_analyze_other_tools_har(capsys, shape: str) -> None:
    rc, report = analyze(capsys, SHAPES / f"{shape}.har")
    assert rc == 1
    assert sorted(f["code"] for f in report["findings"]) == EXPECTED
    (flow,) = report["auth_flows"]
    assert flow["retry"]["status"] == 200 and flow["account"] == "bob"
    assert flow["token"]["response"]["token"]["label"] == "ACR access token"
    leak = next(f for f in report["findings"] if f["code"] == "CREDENTIAL_LEAK_ON_REDIRECT")
    assert leak["severity"] == "high"


@pytest.mark.parametrize("shape", ["chrome", "firefox", "fiddler"])
def test_redacted_other_tools_har_gives_the_same_findings(
    capsys, tmp_path: Path, shape: str
) -> None:
    out = tmp_path / "r.har"
    assert main(["redact", str(SHAPES / f"{shape}.har"), "-o", str(out)]) == 0
    text = out.read_text()
    assert "fixture-password" not in text and "FIXTUREsig" not in text
    assert "ZmFrZS1zaWduYXR1cmUtZm9yLWZpeHR1cmVz" not in text
    capsys.readouterr()
    _, report = analyze(capsys, out)
    assert sorted(f["code"] for f in report["findings"]) == EXPECTED
