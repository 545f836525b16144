"""TLS checks: a client that does not trust the proxy CA."""

from __future__ import annotations

from acrproxy.analysis import Session
from tests.sessions import codes


def test_client_rejected_proxy_ca() -> None:
    s = Session()
    s.tls_failed("10.0.0.5", "reg.example.test", "client does not trust the proxy's certificate")
    assert codes(s) == {"CLIENT_REJECTED_PROXY_CA"}
