"""What the benchmarks share: a proxy process (plain mitmdump or acrproxy) and its CPU time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from acrproxy.lab.env import free_port, wait_for_file, wait_for_port  # noqa: E402

VENV_BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Proxy:
    """A proxy process: plain mitmdump or acrproxy, trusting the test CA upstream."""

    def __init__(
        self, name: str, work: Path, upstream_ca: str | Path, kind: str, *opts: str
    ) -> None:
        self.name, self.port = name, free_port()
        self.confdir = work / f"conf-{name}"
        self.confdir.mkdir(parents=True, exist_ok=True)
        common = [
            "--set",
            f"confdir={self.confdir}",
            "--set",
            f"ssl_verify_upstream_trusted_ca={upstream_ca}",
        ]
        if kind == "mitmdump":
            cmd = [
                str(VENV_BIN / "mitmdump"),
                "-q",
                "--listen-host",
                "127.0.0.1",
                "-p",
                str(self.port),
                *common,
                *opts,
            ]
        else:
            cmd = [
                str(VENV_BIN / "acrproxy"),
                "run",
                "--quiet",
                "--listen-port",
                str(self.port),
                "--confdir",
                str(self.confdir),
                "--set",
                f"ssl_verify_upstream_trusted_ca={upstream_ca}",
                *opts,
            ]
        self.log = open(work / f"{name}.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)
        self.ca = self.confdir / "mitmproxy-ca-cert.pem"
        wait_for_file(self.ca, self.proc)
        self.certs = work / f"certs-{name}"
        self.certs.mkdir(exist_ok=True)
        shutil.copy(self.ca, self.certs / "ca.crt")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
