"""A registry that answers what a test tells it to, over TLS on loopback: for the failures a
real registry does not produce on demand (no challenge, a firewall's 403, a shifted clock, an
expired certificate, a storage host that is down, ACR's token exchange)."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from acrproxy.lab.pki import Pki, make_pki
from acrproxy.lab.tlsserver import TlsServer

Answer = tuple[int, dict[str, str], bytes]
REGISTRY = {"Docker-Distribution-API-Version": "registry/2.0"}
LAYER = "sha256:" + "ab" * 32
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"digest": "sha256:" + "cd" * 32, "size": 2},
        "layers": [{"digest": LAYER, "size": 5}],
    }
).encode()


class FakeRegistry(TlsServer):
    def __init__(
        self,
        folder: Path,
        routes: dict[str, Callable[[BaseHTTPRequestHandler], Answer]],
        expired: bool = False,
        clock_shift: float = 0.0,
    ) -> None:
        self.pki: Pki = make_pki(folder, ["127.0.0.1"], expired=expired)
        self.seen: list[tuple[str, str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                server.seen.append((self.command, self.path, self.headers.get("Authorization")))
                route = routes.get(path) or routes.get("*")
                status, headers, body = route(self) if route else (404, {}, b"")
                self.send_response(status)
                date = email.utils.formatdate(time.time() + clock_shift, usegmt=True)
                for k, v in {"Date": date, **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def send_response(self, code: int, message: str | None = None) -> None:
                self.send_response_only(code, message)  # no automatic Date: ours may be shifted

            do_GET = do_POST = do_HEAD = _answer

        super().__init__(
            "127.0.0.1", 0, Handler, str(self.pki.server_cert), str(self.pki.server_key)
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def fixed(
    status: int, headers: dict[str, str] | None = None, body: bytes = b""
) -> Callable[[BaseHTTPRequestHandler], Answer]:
    return lambda _: (status, headers or {}, body)
