"""setup: --print shows a diff; --apply then --undo gives back every file byte for byte (mode
and owner too) and removes what it created; applying twice is refused."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from mitmproxy.certs import CertStore

from acrproxy.cli import main
from acrproxy.clientsetup import CLIENTS, PLANS, SetupError, Target, apply, diff, undo


@pytest.fixture
def confdir(tmp_path: Path) -> Path:
    d = tmp_path / "conf"
    d.mkdir()
    CertStore.from_store(str(d), "mitmproxy", 2048)  # the CA, as acrproxy run makes it
    return d


def snapshot(root: Path) -> dict[str, tuple[str, int, int, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        out[str(p.relative_to(root))] = (digest, st.st_mode, st.st_uid, st.st_gid)
    return out


def machine(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "usr/local/share/ca-certificates").mkdir(parents=True)
    (root / "etc/debian_version").write_text("12.0\n")
    daemon = root / "etc/docker/daemon.json"
    daemon.write_text('{\n  "log-level": "warn",\n  "registry-mirrors": ["https://m.test"]\n}\n')
    os.chmod(daemon, 0o640)
    if os.geteuid() == 0:
        os.chown(daemon, 1234, 2345)
    (root / "root").mkdir()
    (root / "root/.curlrc").write_text("silent\n")
    return root


@pytest.mark.parametrize("client", CLIENTS)
def test_apply_then_undo_round_trips_byte_for_byte(
    tmp_path: Path, confdir: Path, client: str
) -> None:
    root = machine(tmp_path)
    before = snapshot(root)
    t = Target(
        root,
        confdir,
        "http://127.0.0.1:8888",
        confdir / "mitmproxy-ca-cert.pem",
        "registry.test",
        "24.0.5",
        "/root",
    )
    plan = PLANS[client](t)
    assert plan.changes and "---" in diff(plan) or "add " in diff(plan)
    apply(t, plan)
    assert snapshot(root) != before
    with pytest.raises(SetupError, match="already set up"):
        apply(t, PLANS[client](t))
    undo(t, client)
    assert snapshot(root) == before
    assert not (confdir / "setup").exists()


def test_docker_keeps_other_keys_and_old_engines_get_a_dropin(
    tmp_path: Path, confdir: Path
) -> None:
    import json

    root = machine(tmp_path)
    ca = confdir / "mitmproxy-ca-cert.pem"
    new = Target(root, confdir, "http://10.0.75.1:8888", ca, docker_version="24.0.5")
    apply(new, PLANS["docker"](new))
    config = json.loads((root / "etc/docker/daemon.json").read_text())
    assert config["log-level"] == "warn" and config["registry-mirrors"] == ["https://m.test"]
    assert config["proxies"]["https-proxy"] == "http://10.0.75.1:8888"
    assert (root / "usr/local/share/ca-certificates/acrproxy.crt").read_bytes() == ca.read_bytes()
    undo(new, "docker")
    old = Target(root, confdir, "http://127.0.0.1:8888", ca, docker_version="20.10.24")
    plan = PLANS["docker"](old)
    assert [c.path for c in plan.changes][0].endswith("docker.service.d/acrproxy-proxy.conf")


def test_cli_print_apply_undo_and_errors(tmp_path: Path, confdir: Path, capsys) -> None:
    root = machine(tmp_path)
    base = ["setup", "curl", "--root", str(root), "--confdir", str(confdir)]
    assert main(base) == 0 and '+proxy = "http://127.0.0.1:8888"' in capsys.readouterr().out
    assert main([*base, "--apply"]) == 0
    assert main([*base, "--apply"]) == 2 and "already set up" in capsys.readouterr().err
    assert main([*base, "--undo"]) == 0
    assert (root / "root/.curlrc").read_text() == "silent\n"
    assert main([*base, "--undo"]) == 2 and "not set up" in capsys.readouterr().err
    assert main(["setup", "curl", "--root", str(tmp_path / "nope")]) == 2
    assert main(["setup", "curl", "--root", str(root), "--confdir", str(tmp_path)]) == 2
