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
        w.response(flow("https://r.test/v2/", req_headers=basic("bob", "pw-secret-1")))
        w.flush()
        assert len(json.loads(path.read_text())["log"]["entries"]) == 1
        w.error(flow("https://r.test/v2/x", status=None, error="Connection refused"))
        w.done()
    text = path.read_text()
    assert len(json.loads(text)["log"]["entries"]) == 2 and "pw-secret-1" not in text


def test_the_threshold_option_sets_what_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "t.har"
    w = HarWriter()
    with taddons.context(w) as tctx:
        tctx.options.add_option("acrproxy_stream_threshold", str, "1m", "")
        tctx.configure(w, acrproxy_har=str(path), acrproxy_stream_threshold="1k")
        w.response(flow("https://r.test/v2/a/manifests/v1", body=b"x" * 2000))
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
