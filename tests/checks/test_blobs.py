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


def test_a_storage_hop_is_checked_against_the_digest_of_the_redirecting_url() -> None:
    from acrproxy.exchange import Exchange

    digest = "sha256:" + "c" * 64
    s = Session()
    s.feed(
        Exchange(
            id="1",
            method="GET",
            url=f"{REG}/v2/a/blobs/{digest}",
            status=307,
            client="c",
            started=1.0,
            resp_headers=[("location", "https://st.test/x")],
        )
    )
    note = s.feed(
        Exchange(
            id="2",
            method="GET",
            url="https://st.test/x",
            status=200,
            client="c",
            started=2.0,
            body_sha256="sha256:" + "d" * 64,
        )
    )
    assert note.blob_verified is False
    assert [f.code for f in s.findings] == ["BLOB_DIGEST_MISMATCH"]
