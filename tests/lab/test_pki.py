"""The lab's PKI: a CA, a server certificate for names and addresses, a token signer."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cryptography import x509

from acrproxy.lab.pki import make_pki


def test_server_certificate_names_and_addresses(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, ["registry.test", "127.0.0.2"])
    cert = x509.load_pem_x509_certificate(pki.server_cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["registry.test"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.2")]
    assert pki.kid.count(":") == 11 and pki.signing_key_pem.startswith(b"-----BEGIN")
