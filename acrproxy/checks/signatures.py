"""Signature checks: image signature lookups that were refused or found nothing."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make


class SignatureEvidence(Evidence):
    host: str
    status: int


def is_signature_lookup(path: str) -> bool:
    """The signature extension, or a lookaside store (`.../repo@sha256=.../signature-1`)."""
    return (
        ("/extensions/v2/" in path and "/signatures/" in path)
        or ("@sha256=" in path and "/signature-" in path)
        or path.startswith("/sigstore/")
    )


def signature_lookup_failed(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if ex.status not in (401, 403, 404) or not is_signature_lookup(ex.parts.path):
        return
    host = ex.authority
    yield make(
        Code.SIGNATURE_LOOKUP_FAILED,
        [ex.id],
        detail=f"{ex.method} {ex.parts.path} on {host} answered {ex.status}",
        key=f"{host}:{ex.status}",
        evidence=SignatureEvidence(host=host, status=ex.status or 0),
    )
