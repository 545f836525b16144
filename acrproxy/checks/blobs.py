"""Blob checks: a streamed blob whose bytes do not match its digest."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make
from acrproxy.registry_api import Kind


class DigestEvidence(Evidence):
    expected: str
    actual: str


def expected_digest(ex: Exchange) -> str | None:
    """The digest a blob's bytes must have: from its registry path, or (storage) a header."""
    api = ex.api
    digest = api.digest if api.kind is Kind.BLOB else None
    if digest is None and "/blobs/" in ex.parts.path:  # storage paths keep it in a header
        digest = ex.resp("docker-content-digest")
    return digest


def verified(ex: Exchange) -> bool | None:
    """For a streamed blob: whether its sha256 matched its digest (None: nothing to compare)."""
    if ex.status != 200 or not ex.body_sha256:
        return None
    digest = expected_digest(ex)
    return None if digest is None else digest == ex.body_sha256


def blob_digest_mismatch(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if verified(ex) is not False:
        return
    digest = expected_digest(ex)
    if digest:
        yield make(
            Code.BLOB_DIGEST_MISMATCH,
            [ex.id],
            detail=f"{ex.parts.path}: content is {ex.body_sha256}",
            key=ex.url,
            evidence=DigestEvidence(expected=digest, actual=ex.body_sha256),
        )
