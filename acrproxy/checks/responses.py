"""Response checks: no answer upstream, storage auth errors, rate limits, unusable challenges."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.challenge import parse_www_authenticate
from acrproxy.checks.context import Context
from acrproxy.checks.tls import REJECTED
from acrproxy.errors import ParseError
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, Severity, make
from acrproxy.registry_api import registry_error_code
from acrproxy.sensitive import ERROR_BODY_MAX

STORAGE_ERRORS = ("InvalidAuthenticationInfo", "Only one auth mechanism allowed")
_PHASES = (
    (("name or service", "dns", "getaddrinfo", "resolve"), "dns"),
    (("refused", "connect"), "connect"),
    (("tls", "ssl", "certificate", "handshake"), "tls"),
    (("timeout", "timed out"), "timeout"),
    (("reset", "closed", "disconnect", "eof"), "transfer"),
)


class UpstreamEvidence(Evidence):
    host: str
    phase: str
    received: int | None = None


class StorageEvidence(Evidence):
    storage_error: str


class RateLimitEvidence(Evidence):
    limit: int | None = None
    remaining: int | None = None
    window_seconds: int | None = None
    source: str | None = None


class RealmEvidence(Evidence):
    realm: str


def phase(error: str) -> str:
    """Which phase an upstream error message names: dns, connect, tls, timeout, transfer."""
    e = error.lower()
    for words, name in _PHASES:
        if any(w in e for w in words):
            return name
    return "unknown"


def upstream_error(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if not ex.error or ex.error.startswith(REJECTED):  # the client's doing, not the upstream's
        return
    host = ex.authority
    client_gone = "client" in ex.error.lower()  # the client hung up: UPSTREAM_SLOW's case
    if ex.status is None and not client_gone:
        yield make(
            Code.UPSTREAM_ERROR,
            [ex.id],
            detail=f"{ex.method} {host}{ex.parts.path}: {ex.error}",
            key=f"{host}:{ex.error[:60]}",
            evidence=UpstreamEvidence(host=host, phase=phase(ex.error)),
        )
    elif ex.status is not None and not client_gone:
        received = f" after {ex.resp_size} bytes" if ex.resp_size else ""
        yield make(
            Code.UPSTREAM_ERROR,
            [ex.id],
            detail=f"{ex.method} {host}{ex.parts.path}: {ex.status} then {ex.error}{received}",
            key=f"{host}:{ex.error[:60]}",
            evidence=UpstreamEvidence(host=host, phase="transfer", received=ex.resp_size),
        )


def storage_auth_error(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if ex.status is None or ex.status < 400 or not ex.resp_body:
        return
    head = ex.resp_body[:ERROR_BODY_MAX]
    what = next((e for e in STORAGE_ERRORS if e.encode() in head), None)
    if what is None:
        return
    carried = " to a request carrying Authorization" if ex.req("authorization") else ""
    yield make(
        Code.STORAGE_AUTH_ERROR,
        [ex.id],
        detail=f"{ex.authority} answered {ex.status} {what}{carried}",
        key=ex.authority,
        evidence=StorageEvidence(storage_error=what),
    )


def _ratelimit(ex: Exchange) -> RateLimitEvidence:
    found: dict[str, int | None] = {}
    for name, key in (("ratelimit-limit", "limit"), ("ratelimit-remaining", "remaining")):
        count, _, window = (ex.resp(name) or "").partition(";")
        if not count.strip().isdigit():
            continue
        found[key] = int(count.strip())
        window = window.strip()
        if window.startswith("w="):
            found["window_seconds"] = int(window[2:]) if window[2:].isdigit() else None
    return RateLimitEvidence(**found, source=ex.resp("docker-ratelimit-source"))


def rate_limited(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if ex.status is None:
        return
    host = ex.authority
    code = registry_error_code(ex.resp_body) if ex.status >= 400 else None
    if ex.status == 429 or code == "TOOMANYREQUESTS":
        yield make(
            Code.RATE_LIMITED,
            [ex.id],
            detail=f"{host} answered {ex.status} {code or ''}".strip(),
            key=host,
            evidence=_ratelimit(ex),
        )
    elif ex.resp("ratelimit-remaining"):
        rl = _ratelimit(ex)
        if (
            rl.remaining is not None
            and rl.limit is not None
            and rl.remaining <= max(1, rl.limit // 10)
        ):
            yield make(
                Code.RATE_LIMITED,
                [ex.id],
                severity=Severity.INFO,
                detail=f"{rl.remaining} of {rl.limit} pulls left in the window on {host}",
                key=f"low:{host}",
                evidence=rl,
            )


def challenge(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    """A 401 whose challenge a client cannot use, or that sends it to an http:// realm."""
    if ex.status != 401:
        return
    values = ex.resp_all("www-authenticate")
    try:
        challenges = parse_www_authenticate(", ".join(values)) if values else []
    except ParseError:
        challenges = []
    usable = any((c.is_bearer and c.realm) or c.is_basic for c in challenges)
    host = ex.authority
    if not usable and ex.parts.path.startswith("/v2"):
        yield make(
            Code.CHALLENGE_MISSING,
            [ex.id],
            detail=f"401 from {host} without a usable WWW-Authenticate",
            key=host,
        )
    for ch in challenges:
        realm = ch.realm or ""
        if ch.is_bearer and ex.parts.scheme == "https" and realm.startswith("http://"):
            yield make(
                Code.REALM_INSECURE,
                [ex.id],
                detail=f"{host} sends clients to {realm} for tokens",
                key=host,
                evidence=RealmEvidence(realm=realm),
            )
