"""A static HTTPS "storage account" over the registry's data directory (the 307 target).

Like Azure Blob with a SAS, it refuses a request that also carries an Authorization header with
400 InvalidAuthenticationInfo. Files are streamed from disk.
"""

from __future__ import annotations

import shutil
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

AZURE_ERROR = (
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidAuthenticationInfo</Code>'
    b"<Message>Authentication information is not given in the correct format. Check the value "
    b"of Authorization header.</Message></Error>"
)


class StorageServer:
    def __init__(self, host: str, port: int, root: Path, cert: str, key: str) -> None:
        self.root = root.resolve()
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
                if not head:
                    with open(path, "rb") as f:
                        shutil.copyfileobj(f, self.wfile, 1024 * 1024)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> StorageServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
