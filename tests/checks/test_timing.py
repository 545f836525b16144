"""Timing: a slow phase upstream, or a client that gave up before any answer."""

from __future__ import annotations

from acrproxy.analysis import Session
from acrproxy.exchange import Exchange, Timings


def test_a_slow_wait_for_headers_names_host_and_phase() -> None:
    s = Session(slow_after=10)
    s.feed(
        Exchange(
            id="1",
            method="GET",
            url="https://r.test/v2/a/manifests/v1",
            status=200,
            timings=Timings(connect=5, tls=20, wait=12_500, receive=3),
        )
    )
    (f,) = s.findings
    assert f.code == "UPSTREAM_SLOW" and f.evidence == {
        "host": "r.test",
        "phase": "wait",
        "seconds": 12.5,
    }
    assert "waiting for headers" in f.detail


def test_fast_exchanges_and_other_thresholds() -> None:
    fast = Exchange(
        id="1",
        method="GET",
        url="https://r.test/v2/",
        status=200,
        timings=Timings(connect=5, wait=900),
    )
    s = Session(slow_after=10)
    s.feed(fast)
    assert s.findings == []
    strict = Session(slow_after=0.5)
    strict.feed(fast)
    assert [f.code for f in strict.findings] == ["UPSTREAM_SLOW"]


def test_a_client_that_gave_up_first() -> None:
    s = Session()
    s.feed(
        Exchange(
            id="1",
            method="GET",
            url="https://r.test/v2/a/blobs/x",
            started=100.0,
            ended=130.0,
            error="Client disconnected.",
        )
    )
    (f,) = s.findings
    assert f.code == "UPSTREAM_SLOW" and "gave up" in f.detail and f.evidence["seconds"] == 30.0
