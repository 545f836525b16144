"""A static HTTPS "storage account" over the registry's data directory (the 307 target).

Like Azure Blob with a SAS, it refuses a request that also carries an Authorization header with
400 InvalidAuthenticationInfo. Files are streamed from disk.
"""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from acrproxy.lab.tlsserver import TlsServer

AZURE_ERROR = (
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidAuthenticationInfo</Code>'
    b"<Message>Authentication information is not given in the correct format. Check the value "
    b"of Authorization header.</Message></Error>"
)


class StorageServer(TlsServer):
    def __init__(self, host: str, port: int, root: Path, cert: str, key: str) -> None:
        self.root = root.resolve()
        self._interrupt: tuple[int, threading.Event, threading.Event] | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.do_GET(head=True)

            def do_GET(self, head: bool = False) -> None:
                if self.headers.get("Authorization"):
                    self.send_response(400)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(AZURE_ERROR)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(AZURE_ERROR)
                    return
                path = (server.root / self.path.split("?", 1)[0].lstrip("/")).resolve()
                if not str(path).startswith(str(server.root)) or not path.is_file():
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                size = path.stat().st_size
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                if head:
                    return
                with open(path, "rb") as f:
                    cut = server._take_interrupt(size)
                    if cut is not None:  # send half, say so, wait, then drop the connection
                        half_sent, release = cut
                        self.wfile.write(f.read(size // 2))
                        self.wfile.flush()
                        half_sent.set()
                        release.wait(60)
                        self.close_connection = True
                        return
                    shutil.copyfileobj(f, self.wfile, 1024 * 1024)

        super().__init__(host, port, Handler, cert, key)

    def interrupt_next(self, min_size: int) -> tuple[threading.Event, threading.Event]:
        """Make the next GET of a file >= min_size stop half way: returns (half_sent, release);
        the connection is dropped once `release` is set."""
        half_sent, release = threading.Event(), threading.Event()
        self._interrupt = (min_size, half_sent, release)
        return half_sent, release

    def _take_interrupt(self, size: int) -> tuple[threading.Event, threading.Event] | None:
        cut = self._interrupt
        if cut is None or size < cut[0]:
            return None
        self._interrupt = None
        return cut[1], cut[2]
