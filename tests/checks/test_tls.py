"""TLS checks: a client that does not trust the proxy CA, as an exchange the trace keeps."""

from __future__ import annotations

from acrproxy.analysis import Session
from acrproxy.checks.tls import is_trust_failure, rejected_handshake
from tests.flows import T0


def test_client_rejected_proxy_ca() -> None:
    s = Session()
    s.feed(rejected_handshake("c1", "10.0.0.5", "reg.example.test", "unknown ca", T0))
    (f,) = s.findings
    assert f.code == "CLIENT_REJECTED_PROXY_CA" and f.evidence["host"] == "reg.example.test"
    assert "unknown ca" in f.detail and f.exchanges == ["c1"]


def test_other_connect_errors_are_upstream_errors() -> None:
    from acrproxy.exchange import Exchange

    s = Session()
    s.feed(Exchange(id="1", method="CONNECT", url="https://r.test/", error="Connection refused"))
    assert [f.code for f in s.findings] == ["UPSTREAM_ERROR"]


def test_trust_words() -> None:
    assert is_trust_failure("tlsv1 alert unknown ca") and not is_trust_failure("reset by peer")
