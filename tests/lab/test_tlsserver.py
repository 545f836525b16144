"""The lab's threaded TLS server on loopback."""

from __future__ import annotations

import ssl
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from acrproxy.lab.pki import make_pki
from acrproxy.lab.tlsserver import TlsServer


class Hello(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")


def test_serves_tls_that_its_ca_verifies(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, ["127.0.0.1"])
    server = TlsServer("127.0.0.1", 0, Hello, str(pki.server_cert), str(pki.server_key)).start()
    try:
        ctx = ssl.create_default_context(cafile=str(pki.ca_pem))
        with urllib.request.urlopen(f"https://127.0.0.1:{server.port}/", context=ctx) as r:
            assert r.read() == b"hello"
    finally:
        server.stop()
