"""The HAR writer addon: entry by entry, complete after each, redacted unless told otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mitmproxy.test import taddons

from acrproxy.addons.harwriter import HarWriter
from tests.flows import basic, flow


def test_writes_each_flow_as_it_completes(tmp_path: Path) -> None:
    path = tmp_path / "t.har"
    w = HarWriter()
    with taddons.context(w) as tctx:
        tctx.configure(w, acrproxy_har=str(path))
        w.acrproxy_analyzed(flow("https://r.test/v2/", req_headers=basic("bob", "pw-secret-1")))
        w.flush()
        assert len(json.loads(path.read_text())["log"]["entries"]) == 1
        w.acrproxy_analyzed(flow("https://r.test/v2/x", status=None, error="Connection refused"))
        w.done()
    text = path.read_text()
    assert len(json.loads(text)["log"]["entries"]) == 2 and "pw-secret-1" not in text


def test_the_threshold_option_sets_what_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "t.har"
    w = HarWriter()
    with taddons.context(w) as tctx:
        tctx.options.add_option("acrproxy_stream_threshold", str, "1m", "")
        tctx.configure(w, acrproxy_har=str(path), acrproxy_stream_threshold="1k")
        w.acrproxy_analyzed(flow("https://r.test/v2/a/manifests/v1", body=b"x" * 2000))
        w.done()
    (entry,) = json.loads(path.read_text())["log"]["entries"]
    assert (
        entry["response"]["content"]["text"] == "" and entry["response"]["content"]["_size"] == 2000
    )


def test_an_unwritable_path_is_an_option_error(tmp_path: Path) -> None:
    w = HarWriter()
    with taddons.context(w) as tctx:
        with pytest.raises(Exception, match="acrproxy_har"):
            tctx.configure(w, acrproxy_har=str(tmp_path / "missing" / "t.har"))


def test_rejected_handshakes_are_written_and_analyse_again(tmp_path: Path) -> None:
    from acrproxy.analysis import Session
    from acrproxy.capture import read_exchanges
    from acrproxy.checks.tls import rejected_handshake

    path = tmp_path / "t.har"
    w = HarWriter()
    ex = rejected_handshake("c1", "10.0.0.5", "r.test", "tlsv1 alert unknown ca", 946681200.0)
    with taddons.context(w) as tctx:
        tctx.configure(w, acrproxy_har=str(path))
        w.acrproxy_exchange(ex, Session().feed(ex))
        w.done()
    again = Session()
    for e in read_exchanges(path):
        again.feed(e)
    assert [f.code for f in again.findings] == ["CLIENT_REJECTED_PROXY_CA"]
