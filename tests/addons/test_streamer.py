"""The streamer addon: blobs and large bodies stream through, hashed once per body."""

from __future__ import annotations

import hashlib

import pytest
from mitmproxy.test import taddons

from acrproxy.addons.streamer import Streamer
from acrproxy.note import read_note
from tests.flows import flow


def test_streams_blobs_and_records_size_and_digest_once_done() -> None:
    s = Streamer()
    with taddons.context(s) as tctx:
        tctx.configure(s, acrproxy_stream_threshold="1k")
        f = flow(
            "https://r.test/v2/a/blobs/sha256:" + "a" * 64,
            resp_headers={"content-length": "5000", "content-type": "application/octet-stream"},
        )
        s.responseheaders(f)
        assert callable(f.response.stream)
        data = [b"x" * 3000, b"y" * 2000]
        assert [f.response.stream(c) for c in data] == data
        assert "acrproxy" not in f.metadata  # nothing per chunk
        f.response.stream(b"")
        s.response(f)
    stream = read_note(f.metadata).stream
    assert stream is not None and stream.response_size == 5000
    assert stream.response_sha256 == "sha256:" + hashlib.sha256(b"".join(data)).hexdigest()


def test_a_transfer_cut_short_records_what_arrived() -> None:
    s = Streamer()
    with taddons.context(s):
        f = flow(
            "https://r.test/v2/a/blobs/sha256:" + "a" * 64,
            resp_headers={"content-length": "5000000"},
            error="peer closed connection",
        )
        s.responseheaders(f)
        f.response.stream(b"abc")
        s.error(f)
    stream = read_note(f.metadata).stream
    assert stream is not None and stream.response_size == 3 and stream.response_sha256 is None


def test_streams_large_uploads() -> None:
    s = Streamer()
    with taddons.context(s):
        f = flow("https://r.test/v2/a/blobs/uploads/u1", method="PATCH", status=202)
        f.request.headers["content-length"] = str(5 * 1024 * 1024)
        s.requestheaders(f)
        assert callable(f.request.stream)


def test_keeps_small_manifests_and_tokens() -> None:
    s = Streamer()
    with taddons.context(s) as tctx:
        tctx.configure(s, acrproxy_stream_threshold="1m")
        f = flow(
            "https://r.test/v2/a/manifests/v1",
            resp_headers={
                "content-length": "400",
                "content-type": "application/vnd.oci.image.manifest.v1+json",
            },
        )
        s.responseheaders(f)
        assert not f.response.stream
        s.response(f)
        assert "acrproxy" not in f.metadata


def test_rejects_a_bad_threshold() -> None:
    s = Streamer()
    with taddons.context(s) as tctx:
        with pytest.raises(Exception, match="acrproxy_stream_threshold"):
            tctx.configure(s, acrproxy_stream_threshold="lots")
