"""Checks: one small pure function per finding, grouped by family, listed in one registry.

A check takes an exchange and a read-only `Context` and yields findings. To add a finding: a
`Code` and its catalogue entry in `acrproxy.findings`, a function in its family's module here,
and that function in `CHECKS` (or, when only the whole capture can tell, in `SESSION_CHECKS`).

A finding seen again only adds its exchange to the first one's examples (at most 100); a check
that can fire on every exchange of a long capture asks `ctx.known(code, key)` before making one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from acrproxy.checks import (
    blobs,
    credentials,
    pagination,
    permissions,
    redirects,
    responses,
    signatures,
    timing,
    tls,
    tokens,
)
from acrproxy.checks.context import Check, Context, Hop
from acrproxy.findings import Finding

CHECKS: tuple[Check, ...] = (
    redirects.credential_leak_on_redirect,
    credentials.double_auth_on_signed_url,
    credentials.credential_over_plaintext,
    credentials.token_validity,
    responses.upstream_error,
    responses.storage_auth_error,
    responses.rate_limited,
    responses.challenge,
    tokens.token_request_failed,
    tokens.scope_not_granted,
    tokens.token_audience_mismatch,
    tokens.token_refetched,
    tokens.insufficient_scope,
    blobs.blob_digest_mismatch,
    tls.client_rejected_proxy_ca,
    timing.upstream_slow,
    signatures.signature_lookup_failed,
    permissions.permission_propagation,
)

SessionCheck = Callable[["pagination.Pages"], Iterable[Finding]]
SESSION_CHECKS: tuple[SessionCheck, ...] = (pagination.pagination_not_followed,)
"""Checks over the whole capture (run when the report is made): what did not happen."""

__all__ = ["CHECKS", "SESSION_CHECKS", "Check", "Context", "Hop"]
