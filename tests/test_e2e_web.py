"""`acrproxy web`: mitmweb with acrproxy's addons, the proxy and the UI on 127.0.0.1, the UI
locked by a token it prints, findings marked and commented on their flows."""

from __future__ import annotations

import base64
import json
import re
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.harness.env import free_port
from tests.harness.hostile import HostileUpstream
from tests.harness.proxy import ProxyProcess
from tests.test_e2e_hostile import fetch

pytestmark = pytest.mark.e2e


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - loopback only
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def test_web_ui_shows_flows_with_findings(tmp_path: Path) -> None:
    upstream = HostileUpstream().start()
    web_port = free_port()
    cmd = [sys.executable, "-m", "acrproxy", "web", "--web-port", str(web_port)]
    proxy = ProxyProcess(tmp_path / "p", None, command=cmd).start()
    try:
        m = re.search(r"web UI: (http://127\.0\.0\.1:\d+/\?token=([0-9a-f]+))", proxy.output)
        assert m, proxy.output
        token = m.group(2)
        assert get(f"http://127.0.0.1:{web_port}/flows")[0] == 403  # locked without the token
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
            auth = base64.b64encode(b"bob:pw-web-1").decode()
            s.sendall(
                f"GET http://127.0.0.1:{upstream.port}/v2/small HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{upstream.port}\r\nAuthorization: Basic {auth}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            while s.recv(65536):
                pass
        status, body = get(f"http://127.0.0.1:{web_port}/flows?token={token}")
        assert status == 200
        flows = json.loads(body)
        (f,) = [f for f in flows if f["request"]["path"] == "/v2/small"]
        assert f["marked"] and "CREDENTIAL_OVER_PLAINTEXT" in f["comment"]
        assert fetch(proxy, upstream.port, "/v2/small").endswith(b"small")
    finally:
        proxy.stop()
        upstream.stop()
