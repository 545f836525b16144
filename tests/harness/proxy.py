"""Run `acrproxy run` as a real subprocess, the way a user does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.harness.env import free_port


class ProxyProcess:
    def __init__(
        self, workdir: Path, upstream_ca: str | None, *extra: str, command: list[str] | None = None
    ) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.report = workdir / "report.json"
        self.flows = workdir / "flows.mitm"
        self.confdir = workdir / "confdir"
        base = command or [sys.executable, "-m", "acrproxy", "run"]
        self.cmd = [
            *base,
            "--listen-port",
            str(self.port),
            "--confdir",
            str(self.confdir),
            "--report",
            str(self.report),
            *(["--set", f"ssl_verify_upstream_trusted_ca={upstream_ca}"] if upstream_ca else []),
            "--set",
            f"save_stream_file={self.flows}",
            *extra,
        ]
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._cert_lock = threading.Lock()
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProxyProcess:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env["COLUMNS"] = "200"
        self.proc = subprocess.Popen(
            self.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(60) or self.proc.poll() is not None:
            raise RuntimeError("acrproxy did not start:\n" + "".join(self.lines))
        return self

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            self.lines.append(line)
            if "acrproxy listening on" in line:
                self._ready.set()
        self._ready.set()

    def cert_dir(self) -> Path:
        """A skopeo --cert-dir that trusts the proxy's CA (made once, atomically: concurrent
        pulls share it, and a half-copied file would read as an untrusted CA)."""
        d = self.workdir / "certs-proxy"
        with self._cert_lock:
            if not (d / "ca.crt").exists():
                d.mkdir(exist_ok=True)
                shutil.copy(self.confdir / "mitmproxy-ca-cert.pem", d / "ca.crt.tmp")
                os.replace(d / "ca.crt.tmp", d / "ca.crt")
        return d

    @property
    def ca_cert(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"

    def stop(self) -> dict:
        """Stop as a user does (Ctrl-C); return the JSON report."""
        assert self.proc
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(60)
        return json.loads(self.report.read_text()) if self.report.exists() else {}

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def output(self) -> str:
        return "".join(self.lines)


def pull_via(
    proxy: ProxyProcess,
    registry_addr: str,
    dest: str,
    creds: str = "bob:bob-password-2",
    repo: str = "team/app:v1",
    layout: str = "oci",
    check: bool = True,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """`skopeo copy` of registry_addr/repo to dest (an OCI layout, or dir:) through the proxy."""
    from tests.harness.env import skopeo

    target = f"oci:{dest}:x" if layout == "oci" else f"dir:{dest}"
    r = skopeo(
        "copy",
        "--src-cert-dir",
        str(proxy.cert_dir()),
        "--src-creds",
        creds,
        f"docker://{registry_addr}/{repo}",
        target,
        proxy=proxy.url,
        check=False,
        timeout=timeout,
    )
    if check and r.returncode != 0:  # say why: skopeo's own words, and the proxy's last lines
        raise AssertionError(
            f"skopeo copy {repo} failed: {r.stderr.strip()[-1500:]}\nproxy: {proxy.output[-1500:]}"
        )
    return r


def pull_in_background(proxy: ProxyProcess, registry_addr: str, dest: str) -> subprocess.Popen[str]:
    """Start `skopeo copy` of team/app:v1 (as bob) to an OCI layout through the proxy, and return
    at once: for tests that break something while the pull is under way."""
    return subprocess.Popen(
        [
            "skopeo",
            "copy",
            "--src-cert-dir",
            str(proxy.cert_dir()),
            "--src-creds",
            "bob:bob-password-2",
            f"docker://{registry_addr}/team/app:v1",
            f"oci:{dest}:x",
        ],
        env={"HTTPS_PROXY": proxy.url, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def inspect_via(
    proxy: ProxyProcess,
    registry_addr: str,
    creds: str = "bob:bob-password-2",
    repo: str = "team/app:v1",
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`skopeo inspect` of registry_addr/repo through the proxy."""
    from tests.harness.env import skopeo

    return skopeo(
        "inspect",
        "--cert-dir",
        str(proxy.cert_dir()),
        "--creds",
        creds,
        f"docker://{registry_addr}/{repo}",
        proxy=proxy.url,
        check=check,
    )


def rss_bytes(pid: int) -> int:
    """A process's resident memory, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
