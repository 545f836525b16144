"""Credential checks: how a request's credential was sent (signed URLs, plain HTTP, validity)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qsl

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make
from acrproxy.sensitive import URL_SIGNATURE_PARAMS


class HostEvidence(Evidence):
    host: str


class LateEvidence(Evidence):
    late_seconds: float


class SkewEvidence(Evidence):
    skew_seconds: float


def double_auth_on_signed_url(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if not ex.req("authorization") or not ex.parts.query:
        return
    query = {k.lower() for k, _ in parse_qsl(ex.parts.query, keep_blank_values=True)}
    signed = sorted(query & URL_SIGNATURE_PARAMS)
    if signed:
        host = ex.authority
        yield make(
            Code.DOUBLE_AUTH_ON_SIGNED_URL,
            [ex.id],
            detail=f"Authorization sent to {host} with a signed URL ({signed[0]}=)",
            key=host,
            evidence=HostEvidence(host=host),
        )


def credential_over_plaintext(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    auth = ex.req("authorization")
    if not auth or ex.parts.scheme != "http":
        return
    scheme = auth.split(" ", 1)[0]
    if scheme.lower() in ("basic", "bearer"):
        host = ex.authority
        yield make(
            Code.CREDENTIAL_OVER_PLAINTEXT,
            [ex.id],
            detail=f"{scheme} credential sent to http://{host}",
            key=host,
            evidence=HostEvidence(host=host),
        )


def token_validity(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    cred = ctx.recorded.credential
    token = cred.token if cred is not None else None
    if token is None or token.kind != "jwt":
        return
    exp, nbf = token.claim_time("exp"), token.claim_time("nbf")
    when = ex.started or time.time()
    if exp is not None and when > exp:
        yield make(
            Code.TOKEN_EXPIRED,
            [ex.id],
            detail=f"token {token.fingerprint} used {when - exp:.0f}s after it expired "
            f"(on {ex.method} {ex.path})",
            key=token.fingerprint,
            evidence=LateEvidence(late_seconds=round(when - exp, 1)),
        )
    if nbf is not None and when < nbf:
        yield make(
            Code.TOKEN_NOT_YET_VALID,
            [ex.id],
            detail=f"token {token.fingerprint} used {nbf - when:.0f}s before its nbf",
            key=token.fingerprint,
            evidence=SkewEvidence(skew_seconds=round(nbf - when, 1)),
        )
