"""A hostile upstream driven through `acrproxy run`: every client gets what the upstream sent,
the proxy stays up with bounded memory, prints no traceback, and writes its report and trace."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.harness.hostile import HostileUpstream, MiB, fixed_cases
from tests.harness.proxy import ProxyProcess, rss_bytes

pytestmark = pytest.mark.e2e


def fetch(proxy: ProxyProcess, port: int, path: str, limit: int | None = None) -> bytes:
    """GET through the proxy on a raw socket; the whole answer (or its first `limit` bytes)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=120) as s:
        s.sendall(
            f"GET http://127.0.0.1:{port}{path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        data = bytearray()
        while limit is None or len(data) < limit:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
        return bytes(data)


def split(raw: bytes) -> tuple[int, bytes, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        out, rest = bytearray(), body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2 :]
        body = bytes(out)
    return int(head.split(b" ", 2)[1]), head, body


@pytest.fixture
def hostile():
    h = HostileUpstream().start()
    yield h
    h.stop()


def test_hostile_upstream_through_the_proxy(tmp_path: Path, hostile: HostileUpstream) -> None:
    har = tmp_path / "trace.har"
    proxy = ProxyProcess(tmp_path / "p", None, "--har", str(har)).start()
    try:
        rss_start = rss_bytes(proxy.proc.pid)
        # every fixed case arrives as the upstream sent it
        for path, sent in fixed_cases().items():
            status, head, body = split(fetch(proxy, hostile.port, path))
            assert (status, body) == split(sent)[0::2], path
        _, head, _ = split(fetch(proxy, hostile.port, "/v2/latin1"))
        assert b"caf\xe9" in head and b"t\xe9" in head  # bytes are bytes, passed on as they came
        for _ in range(50):
            assert split(fetch(proxy, hostile.port, "/v2/loop"))[0] == 302
        # an endless body streams through; the client hangs up after 8 MiB
        assert len(fetch(proxy, hostile.port, "/v2/endless", limit=8 * MiB)) >= 8 * MiB
        # a slowloris upstream holds one request, not the proxy
        slow: list[bytes] = []
        t = threading.Thread(target=lambda: slow.append(fetch(proxy, hostile.port, "/v2/slow")))
        t.start()
        assert hostile.slow_started.wait(60)
        assert split(fetch(proxy, hostile.port, "/v2/small"))[2] == b"small"
        hostile.slow_release.set()
        t.join(60)
        assert split(slow[0])[2] == b"slow"
        # adversarial bodies being analysed and exported do not hold up other clients
        baseline = [timed(proxy, hostile.port) for _ in range(15)]
        load = threading.Thread(
            target=lambda: [fetch(proxy, hostile.port, "/v2/adversarial") for _ in range(8)]
        )
        load.start()
        during = [timed(proxy, hostile.port) for _ in range(15)]
        load.join(120)
        assert statistics.median(during) < statistics.median(baseline) + 0.1, (baseline, during)
        assert proxy.proc.poll() is None
        assert rss_bytes(proxy.proc.pid) - rss_start < 128 * MiB
    finally:
        report = proxy.stop()
    assert "Traceback" not in proxy.output, proxy.output[-3000:]
    assert report["requests"] >= 60
    entries = json.loads(har.read_text())["log"]["entries"]
    assert len(entries) >= 60
    assert "eyJa.eyJb.eyJa" not in har.read_text()  # the adversarial body was redacted
    # the proxy's own trace, non-UTF-8 header bytes included, analyses whole
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", "--format", "json", str(har)],
        capture_output=True,
        text=True,
    )
    assert r.returncode in (0, 1) and json.loads(r.stdout)["requests"] == len(entries), r.stderr


def timed(proxy: ProxyProcess, port: int) -> float:
    t = time.perf_counter()
    assert split(fetch(proxy, port, "/v2/small"))[2] == b"small"
    return time.perf_counter() - t


def test_sighup_stops_like_sigterm_and_writes_the_report(tmp_path: Path, hostile) -> None:
    import signal

    proxy = ProxyProcess(tmp_path / "p", None).start()
    assert split(fetch(proxy, hostile.port, "/v2/small"))[2] == b"small"
    proxy.proc.send_signal(signal.SIGHUP)
    assert proxy.proc.wait(60) == 0
    report = json.loads(proxy.report.read_text())
    assert report["requests"] == 1 and proxy.report.stat().st_mode & 0o777 == 0o600
