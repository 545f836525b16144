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


def blob_digest_mismatch(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if ex.status != 200 or not ex.body_sha256:
        return
    api = ex.api
    digest = api.digest if api.kind is Kind.BLOB else None
    if digest is None and "/blobs/" in ex.parts.path:  # storage paths keep it in a header
        digest = ex.resp("docker-content-digest")
    if digest and digest != ex.body_sha256:
        yield make(
            Code.BLOB_DIGEST_MISMATCH,
            [ex.id],
            detail=f"{ex.parts.path}: content is {ex.body_sha256}",
            key=ex.url,
            evidence=DigestEvidence(expected=digest, actual=ex.body_sha256),
        )
