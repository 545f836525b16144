"""TLS checks: a client that aborted the handshake with the proxy (it does not trust our CA).

The proxy records such a handshake as an exchange of its own (`rejected_handshake`): a CONNECT
to the host with no response and an error saying so. It goes into the analysis, the live view
and the HAR like any other exchange, so a later `analyze` of the trace finds it again.
"""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make

TRUST_WORDS = ("trust", "unknown ca", "certificate", "bad cert")
REJECTED = "client rejected the proxy's certificate"


class ClientEvidence(Evidence):
    host: str
    client: str


def is_trust_failure(error: str) -> bool:
    """True when a handshake error says the client does not trust the certificate."""
    e = error.lower()
    return any(w in e for w in TRUST_WORDS)


def rejected_handshake(exchange_id: str, client: str, host: str, error: str, at: float) -> Exchange:
    """The exchange that stands for a TLS handshake the client aborted."""
    return Exchange(
        id=exchange_id,
        method="CONNECT",
        url=f"https://{host}/",
        client=client,
        started=at,
        ended=at,
        error=f"{REJECTED}: {error}",
    )


def client_rejected_proxy_ca(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    if ex.method != "CONNECT" or ex.status is not None or not (ex.error or "").startswith(REJECTED):
        return
    host = ex.authority
    yield make(
        Code.CLIENT_REJECTED_PROXY_CA,
        [ex.id],
        detail=f"client {ex.client or '?'} rejected the proxy's certificate for {host}: "
        f"{(ex.error or '')[len(REJECTED) + 2 :]}",
        key=host,
        evidence=ClientEvidence(host=host, client=ex.client),
    )
