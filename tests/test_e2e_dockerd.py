"""A real Docker daemon (Debian's docker.io, Engine 20.10) sent through acrproxy with exactly the
settings `acrproxy setup docker` produces for it (the systemd drop-in's environment), then
`docker login`, `docker pull` and `docker push`, and the auth flows acrproxy explains: the
password grant at login, refresh-token grants after it.

What this does not cover: dockerd treats a registry that resolves into 127.0.0.0/8 as insecure
and checks no certificate for it, so the proxy CA's trust is proven here for the storage host
only (through SSL_CERT_FILE, which Go reads), not for the registry host. A registry outside
127/8 needs a network namespace, which this test does not create.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from acrproxy.lab.env import wait_for_file
from acrproxy.launch import write_bundle
from tests.conftest import ALICE
from tests.harness.env import RegistryEnv
from tests.harness.proxy import ProxyProcess

pytestmark = pytest.mark.e2e


def missing() -> str | None:
    if shutil.which("dockerd") is None or shutil.which("docker") is None:
        return "dockerd is not installed (scripts/test-deps installs docker.io as root)"
    if os.geteuid() != 0:
        return "dockerd needs root"
    return None


def setup_environment(tmp_path: Path, proxy: ProxyProcess) -> dict[str, str]:
    """What `acrproxy setup docker` writes for Engine 20.10, read back as dockerd's environment."""
    root = tmp_path / "root"
    root.mkdir()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "acrproxy",
            "setup",
            "docker",
            "--apply",
            "--root",
            str(root),
            "--confdir",
            str(proxy.confdir),
            "--proxy",
            proxy.url,
            "--docker-version",
            "20.10.24",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    dropin = (root / "etc/systemd/system/docker.service.d/acrproxy-proxy.conf").read_text()
    return dict(re.findall(r'"(HTTPS?_PROXY)=([^"]+)"', dropin))


@pytest.fixture
def dockerd(registry: RegistryEnv, tmp_path: Path) -> Iterator[tuple[ProxyProcess, str]]:
    why = missing()
    if why:
        pytest.skip(why)
    proxy = ProxyProcess(tmp_path / "proxy", registry.ca, "--set", "acrproxy_slow_after=60")
    proxy.start()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(setup_environment(tmp_path, proxy))
    bundle = write_bundle(proxy.ca_cert, tmp_path / "bundle.pem")
    env["SSL_CERT_FILE"] = str(bundle)  # the storage host's certificate comes from the proxy
    sock = tmp_path / "docker.sock"
    daemon = subprocess.Popen(
        [
            "dockerd",
            "--data-root",
            str(tmp_path / "data"),
            "--exec-root",
            str(tmp_path / "exec"),
            "--pidfile",
            str(tmp_path / "docker.pid"),
            "-H",
            f"unix://{sock}",
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
        ],
        env=env,
        stdout=open(tmp_path / "dockerd.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        try:
            wait_for_file(sock, daemon, tries=2400)
        except RuntimeError as e:
            pytest.skip(
                f"dockerd cannot start here: {e}: {(tmp_path / 'dockerd.log').read_text()[-300:]}"
            )
        yield proxy, f"unix://{sock}"
    finally:
        daemon.terminate()
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            daemon.kill()
        proxy.kill()


def docker(host: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["DOCKER_HOST"] = host
    env["DOCKER_CONFIG"] = str(Path(host.removeprefix("unix://")).parent / "client")
    return subprocess.run(
        ["docker", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


def test_login_pull_push_through_acrproxy(registry: RegistryEnv, dockerd) -> None:
    proxy, host = dockerd
    image = f"{registry.registry_addr}/team/app"
    r = docker(
        host, "login", "-u", ALICE[0], "--password-stdin", registry.registry_addr, stdin=ALICE[1]
    )
    assert r.returncode == 0, r.stderr
    r = docker(host, "pull", f"{image}:v1")
    assert r.returncode == 0, r.stderr
    assert docker(host, "tag", f"{image}:v1", f"{image}:from-docker").returncode == 0
    r = docker(host, "push", f"{image}:from-docker")
    assert r.returncode == 0, r.stderr
    report = proxy.stop()
    grants = {
        (f["token"]["request"]["credential"], f["token"]["request"]["kind"])
        for f in report["auth_flows"]
        if f["token"]
    }
    assert any(c in ("basic", "password") for c, _ in grants), grants  # the login
    assert ("refresh_token", "oauth2") in grants, grants  # pull and push after it
    pushed = [
        f
        for f in report["auth_flows"]
        if f["retry"] and f["token"] and any("push" in s["actions"] for s in f["granted"])
    ]
    assert pushed, report["auth_flows"]
    storage = [h for h in report["hosts"] if "acrproxy-storage" in h]
    assert storage  # the layer came through the proxy from the storage host
    assert ALICE[1] not in json.dumps(report)
