"""`acrproxy capture -- CMD`: real skopeo and curl through the proxy with no proxy or CA flags
of their own; the command's streams and exit code pass through; a summary at the end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BOB
from tests.harness.env import RegistryEnv

pytestmark = pytest.mark.e2e


def capture(
    registry: RegistryEnv, tmp_path: Path, *cmd: str, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "acrproxy",
            "capture",
            "--confdir",
            str(tmp_path / "conf"),
            "--set",
            f"ssl_verify_upstream_trusted_ca={registry.ca}",
            *extra,
            "--",
            *cmd,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_skopeo_through_capture(registry: RegistryEnv, tmp_path: Path) -> None:
    har = tmp_path / "t.har"
    r = capture(
        registry,
        tmp_path,
        "skopeo",
        "inspect",
        "--creds",
        ":".join(BOB),
        f"docker://{registry.registry_addr}/team/app:v1",
        extra=("--har", str(har)),
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Name"].endswith("team/app")  # skopeo's own output, untouched
    assert "auth flow #1" in r.stderr  # the live view went to stderr
    lines = r.stderr.splitlines()
    assert any(line.startswith("acrproxy capture:") and "auth flows" in line for line in lines)
    assert json.loads(har.read_text())["log"]["entries"]
    assert BOB[1] not in r.stderr + har.read_text()


def test_curl_and_exit_codes(registry: RegistryEnv, tmp_path: Path) -> None:
    r = capture(
        registry,
        tmp_path,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        f"https://{registry.registry_addr}/v2/",
    )
    assert r.returncode == 0 and r.stdout == "401", r.stderr  # the registry's challenge
    r = capture(registry, tmp_path, "sh", "-c", "exit 7", extra=("--quiet",))
    assert r.returncode == 7
    r = capture(registry, tmp_path, "no-such-command-here", extra=("--quiet",))
    assert r.returncode == 127 and "command not found" in r.stderr


def test_usage(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "capture"], capture_output=True, text=True
    )
    assert r.returncode == 2 and "give the command" in r.stderr and r.stderr.count("\n") == 1
