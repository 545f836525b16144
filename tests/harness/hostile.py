"""A hostile upstream on loopback, on raw sockets: it answers each path with bytes no
well-behaved server would send (huge, binary or malformed challenges, non-JSON and huge token
answers, endless bodies, slow headers, redirect loops, non-UTF-8 headers)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable

MiB = 1024 * 1024


def response(status: str, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    head = [f"HTTP/1.1 {status}".encode()]
    head += [k + b": " + v for k, v in headers]
    head.append(b"Content-Length: " + str(len(body)).encode())
    head.append(b"Connection: close")
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def fixed_cases() -> dict[str, bytes]:
    """Path -> the exact bytes the upstream sends (the client must get the same body)."""
    huge = b'Bearer realm="https://auth.hostile.test/token",service="h",x="' + b"x" * 60000 + b'"'
    binary = b"Bearer realm=\x01\x02\x7f\x80\xfe\xff" + bytes(range(0x80, 0x100)) + b'", ,'
    params = b"Bearer " + b", ".join(b"a%d=b%d" % (i, i) for i in range(10000))
    adversarial = json.dumps({"a": "eyJa.eyJb." * 100_000}).encode()
    return {
        "/v2/huge-challenge": response("401 Unauthorized", [(b"WWW-Authenticate", huge)], b"{}"),
        "/v2/binary-challenge": response("401 Unauthorized", [(b"WWW-Authenticate", binary)], b""),
        "/v2/many-params": response("401 Unauthorized", [(b"WWW-Authenticate", params)], b""),
        "/v2/many-headers": response(
            "200 OK", [(b"X-H-%d" % i, b"v%d" % i) for i in range(1000)], b"ok"
        ),
        "/token-not-json": response(
            "200 OK", [(b"Content-Type", b"application/json")], b"not json {"
        ),
        "/token-huge": response(
            "200 OK",
            [(b"Content-Type", b"application/json")],
            json.dumps({"token": "t" * (3 * MiB)}).encode(),
        ),
        "/v2/loop": response("302 Found", [(b"Location", b"/v2/loop")], b""),
        "/v2/latin1": response(
            "401 Unauthorized",
            [
                (b"WWW-Authenticate", b'Bearer realm="https://auth.hostile.test/t\xe9"'),
                (b"X-Name", b"caf\xe9"),
            ],
            b'{"errors": [{"code": "UNAUTHORIZED", "message": "caf\xe9"}]}',
        ),
        "/v2/adversarial": response(
            "200 OK", [(b"Content-Type", b"application/json")], adversarial
        ),
        "/v2/small": response("200 OK", [(b"Content-Type", b"text/plain")], b"small"),
    }


class HostileUpstream:
    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.cases = fixed_cases()
        self.slow_started = threading.Event()
        self.slow_release = threading.Event()
        self.endless_sent = 0
        self._stop = threading.Event()
        self.special: dict[str, Callable[[socket.socket], None]] = {
            "/v2/endless": self._endless,
            "/v2/slow": self._slow,
        }

    def start(self) -> HostileUpstream:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.slow_release.set()
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            path = head.split(b" ", 2)[1].decode("latin-1")
            try:
                if path in self.special:
                    self.special[path](conn)
                else:
                    conn.sendall(self.cases.get(path, response("404 Not Found", [], b"")))
            except OSError:
                pass  # the proxy went away: fine

    def _endless(self, conn: socket.socket) -> None:
        """A chunked body that never ends (until the other side hangs up, or 256 MiB)."""
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n" % (64 * 1024) + b"z" * (64 * 1024) + b"\r\n"
        while self.endless_sent < 256 * MiB and not self._stop.is_set():
            conn.sendall(chunk)
            self.endless_sent += 64 * 1024

    def _slow(self, conn: socket.socket) -> None:
        """Headers that stop half-way until the test lets them finish (a slowloris upstream)."""
        data = response("200 OK", [(b"X-Slow", b"yes")], b"slow")
        conn.sendall(data[:10])
        self.slow_started.set()
        self.slow_release.wait(timeout=120)
        conn.sendall(data[10:])
