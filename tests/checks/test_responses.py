"""Response checks: upstream errors, rate limits, challenges."""

from __future__ import annotations

from acrproxy.analysis import Session
from acrproxy.findings import Severity
from tests.flows import challenge, ex
from tests.sessions import REG, codes


def test_challenge_missing() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=401))
    assert codes(s) == {"CHALLENGE_MISSING"}
    ok = Session()
    ok.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge()))
    assert not ok.findings


def test_rate_limited_and_low_remaining() -> None:
    s = Session()
    s.feed(
        ex(
            f"{REG}/v2/library/ubuntu/manifests/latest",
            status=429,
            body=b'{"errors":[{"code":"TOOMANYREQUESTS"}]}',
        )
    )
    low = Session()
    low.feed(
        ex(
            f"{REG}/v2/library/ubuntu/manifests/latest",
            resp_headers={
                "ratelimit-limit": "100;w=21600",
                "ratelimit-remaining": "3;w=21600",
                "docker-ratelimit-source": "203.0.113.9",
            },
        )
    )
    (f,) = low.findings
    assert f.severity == Severity.INFO and f.evidence["remaining"] == 3
    assert f.evidence["window_seconds"] == 21600
    assert "RATE_LIMITED" in codes(s)
    plenty = Session()
    plenty.feed(
        ex(
            f"{REG}/v2/x/manifests/latest",
            resp_headers={"ratelimit-limit": "100;w=21600", "ratelimit-remaining": "80;w=21600"},
        )
    )
    assert not plenty.findings


def test_upstream_error_with_phase() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    (f,) = s.findings
    assert f.code == "UPSTREAM_ERROR" and f.evidence["phase"] == "connect"


def test_response_cut_short_is_an_upstream_transfer_error() -> None:
    s = Session()
    s.feed(
        ex(
            "https://blob.example.test/data",
            status=200,
            error="peer closed connection without sending complete message body",
        )
    )
    (f,) = s.findings
    assert f.code == "UPSTREAM_ERROR" and f.evidence["phase"] == "transfer"
    client_gone = Session()
    client_gone.feed(ex("https://blob.example.test/data", status=200, error="Client disconnected."))
    assert not client_gone.findings
