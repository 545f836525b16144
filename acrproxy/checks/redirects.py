"""Redirect checks: credentials re-sent to another origin after a redirect."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from publicsuffix2 import get_sld

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange, authority
from acrproxy.findings import Code, Evidence, Finding, Severity, make
from acrproxy.sensitive import LEAKY_HEADERS


class LeakEvidence(Evidence):
    headers: list[str]
    origin: str
    target: str


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port (the default one when absent), as browsers compare origins."""
    p = urlsplit(url)
    port = p.port or (443 if p.scheme == "https" else 80)
    return (p.scheme, (p.hostname or "").lower(), port)


def registrable_domain(host: str) -> str:
    """eTLD+1 by the public suffix list; its default rule `*` for TLDs it does not list."""
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    return get_sld(host, strict=True) or ".".join(host.split(".")[-2:])


def leak_severity(first: str, target: str) -> Severity:
    """How bad a credential sent from `first`'s origin to `target`'s is (see README)."""
    (_, h1, _), (_, h2, _) = origin(first), origin(target)
    if h1 == h2:
        return Severity.LOW
    if registrable_domain(h1) != registrable_domain(h2):
        return Severity.HIGH
    return Severity.MEDIUM


def credential_leak_on_redirect(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    hop = ctx.redirected_from
    if hop is None or origin(hop.url) == origin(ex.url):
        return
    sent = [h for h in LEAKY_HEADERS if ex.req(h)]
    if not sent:
        return
    first, target = authority(hop.url), ex.authority
    yield make(
        Code.CREDENTIAL_LEAK_ON_REDIRECT,
        [hop.exchange_id, ex.id],
        detail=f"{', '.join(h.title() for h in sent)} sent to {target} after a redirect from "
        f"{first}",
        key=f"{first}->{target}",
        severity=leak_severity(hop.url, ex.url),
        evidence=LeakEvidence(headers=sent, origin=first, target=target),
    )
