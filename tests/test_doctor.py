"""doctor: a proxy configured where nothing listens, a CA the system does not trust, and the
consistent case (checked with a local TLS handshake through the system store)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from mitmproxy.certs import CertStore

from acrproxy.cli import main
from acrproxy.doctor import Doctor


@pytest.fixture
def confdir(tmp_path: Path) -> Path:
    d = tmp_path / "conf"
    d.mkdir()
    CertStore.from_store(str(d), "mitmproxy", 2048)
    return d


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def doctor(root: Path, confdir: Path) -> Doctor:
    return Doctor(root, confdir, "/root", {}, ask_docker=False)


def test_proxy_configured_where_nothing_listens(tmp_path: Path, confdir: Path, capsys) -> None:
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    port = dead_port()
    (root / "etc/docker/daemon.json").write_text(
        json.dumps({"proxies": {"https-proxy": f"http://u:secret-pw@127.0.0.1:{port}"}})
    )
    report = doctor(root, confdir).run()
    bad = [c for c in report.checks if not c.ok]
    assert (
        not report.ok and bad[0].name.startswith("docker") and "setup docker --undo" in bad[0].fix
    )
    assert "secret-pw" not in bad[0].detail
    assert main(["doctor", "--root", str(root), "--confdir", str(confdir)]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM docker" in out and "fix:" in out and "secret-pw" not in out


def test_ca_not_trusted_then_trusted(tmp_path: Path, confdir: Path) -> None:
    root = tmp_path / "root"
    bundle = root / "etc/ssl/certs/ca-certificates.crt"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("")
    report = doctor(root, confdir).run()
    (store,) = [c for c in report.checks if c.name == "acrproxy CA in the system store"]
    assert not store.ok and "update-ca-certificates" in store.fix and not report.ok
    bundle.write_bytes((confdir / "mitmproxy-ca-cert.pem").read_bytes())
    report = doctor(root, confdir).run()
    assert report.ok, report.checks
    (tls,) = [c for c in report.checks if c.name == "TLS through the store"]
    assert "accepts" in tls.detail


def test_json_and_a_listening_proxy(tmp_path: Path, confdir: Path, capsys) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with socket.create_server(("127.0.0.1", 0)) as server:
        (root / "root").mkdir()
        (root / "root/.curlrc").write_text(
            f'proxy = "http://127.0.0.1:{server.getsockname()[1]}"\n'
        )
        assert main(["doctor", "--root", str(root), "--confdir", str(confdir), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (curl,) = [c for c in data["checks"] if c["name"].startswith("curl")]
    assert curl["ok"] and "answers" in curl["detail"]
