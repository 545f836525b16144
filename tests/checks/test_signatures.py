"""Signature lookups refused or missing: Red Hat's docker with signature verification."""

from __future__ import annotations

import pytest

from acrproxy.analysis import Session
from acrproxy.checks.signatures import is_signature_lookup
from acrproxy.exchange import Exchange


@pytest.mark.parametrize(
    "path,yes",
    [
        ("/extensions/v2/team/app/signatures/sha256:" + "a" * 64, True),
        ("/sigstore/team/app@sha256=" + "a" * 64 + "/signature-1", True),
        ("/v2/team/app/manifests/v1", False),
    ],
)
def test_what_is_a_signature_lookup(path: str, yes: bool) -> None:
    assert is_signature_lookup(path) is yes


def test_refused_lookup_is_a_finding_naming_the_daemon_option() -> None:
    s = Session()
    s.feed(
        Exchange(
            id="1",
            method="GET",
            status=401,
            url="https://r.test/extensions/v2/team/app/signatures/sha256:" + "a" * 64,
        )
    )
    (f,) = s.findings
    assert f.code == "SIGNATURE_LOOKUP_FAILED" and "--signature-verification=false" in f.advice
    ok = Session()
    ok.feed(
        Exchange(
            id="1",
            method="GET",
            status=200,
            url="https://r.test/extensions/v2/team/app/signatures/sha256:" + "a" * 64,
        )
    )
    assert ok.findings == []
