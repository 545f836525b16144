"""TLS checks: a client that aborted the handshake with the proxy (it does not trust our CA).

Not an exchange check: the proxy reports the failed handshake itself (see `Session.tls_failed`).
"""

from __future__ import annotations

from acrproxy.findings import Code, Evidence, Finding, make

TRUST_WORDS = ("trust", "unknown ca", "certificate", "bad cert")


class ClientEvidence(Evidence):
    host: str
    client: str


def is_trust_failure(error: str) -> bool:
    """True when a handshake error says the client does not trust the certificate."""
    e = error.lower()
    return any(w in e for w in TRUST_WORDS)


def client_rejected_proxy_ca(client: str, host: str, error: str, exchange_id: str = "") -> Finding:
    return make(
        Code.CLIENT_REJECTED_PROXY_CA,
        [exchange_id] if exchange_id else [],
        detail=f"client {client} rejected the proxy's certificate for {host}: {error}",
        key=host,
        evidence=ClientEvidence(host=host, client=client),
    )
