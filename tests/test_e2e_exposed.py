"""Beyond the default loopback hosts the proxy asks for a credential (made up and printed once
when none is given), and --allow-client closes connections from other addresses. 127.0.0.2 is
on this machine's loopback, but it is not one of the default hosts."""

from __future__ import annotations

import base64
import re
import socket
from pathlib import Path

import pytest

from tests.harness.hostile import HostileUpstream
from tests.harness.proxy import ProxyProcess

pytestmark = pytest.mark.e2e


def get(
    proxy_host: str, port: int, upstream: int, auth: str | None = None, source: str | None = None
) -> bytes:
    with socket.create_connection(
        (proxy_host, port), timeout=30, source_address=(source, 0) if source else None
    ) as s:
        head = (
            f"GET http://127.0.0.1:{upstream}/v2/small HTTP/1.1\r\nHost: 127.0.0.1:{upstream}\r\n"
        )
        if auth:
            head += f"Proxy-Authorization: Basic {base64.b64encode(auth.encode()).decode()}\r\n"
        s.sendall((head + "Connection: close\r\n\r\n").encode())
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
        return data


@pytest.fixture
def upstream():
    h = HostileUpstream().start()
    yield h
    h.stop()


def test_a_credential_is_made_up_printed_once_and_required(tmp_path: Path, upstream) -> None:
    proxy = ProxyProcess(tmp_path / "p", None, "--listen-host", "127.0.0.2").start()
    try:
        m = re.search(r"http://acrproxy:([A-Za-z0-9_-]+)@127\.0\.0\.2:(\d+)", proxy.output)
        assert m, proxy.output
        lines = [line for line in proxy.output.splitlines() if m.group(1) in line]
        assert len(lines) == 2  # printed once: the URL, and the daemon.json line that uses it
        assert get("127.0.0.2", proxy.port, upstream.port).startswith(b"HTTP/1.1 407")
        ok = get("127.0.0.2", proxy.port, upstream.port, f"acrproxy:{m.group(1)}")
        assert ok.startswith(b"HTTP/1.1 200") and ok.endswith(b"small")
    finally:
        proxy.stop()


def test_given_credential_and_allowed_clients(tmp_path: Path, upstream) -> None:
    proxy = ProxyProcess(
        tmp_path / "p",
        None,
        "--listen-host",
        "127.0.0.2",
        "--proxyauth",
        "u:given-pw",
        "--allow-client",
        "127.0.0.3/32",
    ).start()
    try:
        assert "acrproxy:" not in proxy.output.split("proxy authentication")[-1][:200]
        assert get("127.0.0.2", proxy.port, upstream.port, "u:given-pw") == b""  # closed
        ok = get("127.0.0.2", proxy.port, upstream.port, "u:given-pw", source="127.0.0.3")
        assert ok.startswith(b"HTTP/1.1 200")
    finally:
        proxy.stop()
