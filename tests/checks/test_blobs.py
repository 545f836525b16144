"""Blob checks: digest mismatches of streamed blobs."""

from __future__ import annotations

from acrproxy.analysis import Session
from tests.sessions import REG, codes


def test_blob_digest_mismatch() -> None:
    from acrproxy.exchange import Exchange

    digest = "sha256:" + "c" * 64
    good = Exchange(
        id="1", method="GET", url=f"{REG}/v2/a/blobs/{digest}", status=200, body_sha256=digest
    )
    bad = Exchange(
        id="2",
        method="GET",
        url=f"{REG}/v2/a/blobs/{digest}",
        status=200,
        body_sha256="sha256:" + "d" * 64,
    )
    s = Session()
    s.feed(good)
    assert not s.findings
    s.feed(bad)
    assert codes(s) == {"BLOB_DIGEST_MISMATCH"}
