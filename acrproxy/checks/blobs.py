"""Blob checks: a streamed blob whose bytes do not match its digest."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make
from acrproxy.registry_api import Kind, parse_path


class DigestEvidence(Evidence):
    expected: str
    actual: str


def expected_digest(ex: Exchange, redirected_from: str | None = None) -> str | None:
    """The digest a blob's bytes must have: from its registry path, from the registry URL that
    redirected here (a storage host), or from a Docker-Content-Digest header."""
    api = ex.api
    if api.kind is Kind.BLOB and api.digest:
        return api.digest
    if redirected_from is not None:
        first = parse_path(urlsplit(redirected_from).path)
        if first.kind is Kind.BLOB and first.digest:
            return first.digest
    if "/blobs/" in ex.parts.path:
        return ex.resp("docker-content-digest")
    return None


def verified(ex: Exchange, redirected_from: str | None = None) -> bool | None:
    """For a streamed blob: whether its sha256 matched its digest (None: nothing to compare)."""
    if ex.status != 200 or not ex.body_sha256:
        return None
    digest = expected_digest(ex, redirected_from)
    return None if digest is None else digest == ex.body_sha256


def blob_digest_mismatch(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    hop = ctx.redirected_from.url if ctx.redirected_from else None
    if verified(ex, hop) is not False:
        return
    digest = expected_digest(ex, hop)
    if digest:
        yield make(
            Code.BLOB_DIGEST_MISMATCH,
            [ex.id],
            detail=f"{ex.parts.path}: content is {ex.body_sha256}",
            key=ex.url,
            evidence=DigestEvidence(expected=digest, actual=ex.body_sha256),
        )
