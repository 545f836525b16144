"""`acrproxy demo`: a teaching lab that needs no registry account and no network.

It starts a real registry on this machine (Debian's docker-registry, i.e. distribution 2.8,
with a token server and a storage host behind its 307, on three loopback addresses), seeds it,
then runs each scenario with the built-in client through a real `acrproxy run`, and tells what
happened: the story in the terminal, and an HTML report per scenario.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from acrproxy.analysis import Session
from acrproxy.capture import read_exchanges
from acrproxy.lab.client import RegistryClient
from acrproxy.lab.env import LOOPBACK, RegistryEnv, free_port, wait_for_file, wait_for_port
from acrproxy.output import Format, render, write_report
from acrproxy.report import Report

LAYER = b"acrproxy demo layer\n" * 4096  # 80 KiB: big enough to be redirected to storage


@dataclass(frozen=True)
class Scenario:
    title: str
    what: str
    run: Callable[[RegistryClient], object]
    user: tuple[str, str] | None = None
    leak: bool = False


SCENARIOS: dict[str, Scenario] = {
    "anonymous-pull": Scenario(
        "Pull a public image without logging in",
        "Anyone may pull public/hello: the client gets an anonymous token.",
        lambda c: c.pull("public/hello", "v1"),
    ),
    "authenticated-pull": Scenario(
        "Pull as bob, with the layers on a storage host",
        "bob may pull team/app; the registry sends the client to storage for the layer.",
        lambda c: c.pull("team/app", "v1"),
        ("bob", "bob-password-2"),
    ),
    "denied-push": Scenario(
        "Push as bob, who may only pull",
        "bob asks for pull and push; the token server grants pull only; the registry refuses.",
        lambda c: c.push("team/app", "bob", LAYER),
        ("bob", "bob-password-2"),
    ),
    "redirect-leak": Scenario(
        "A client that sends its token along the redirect (curl --location-trusted)",
        "The same pull as bob, but the client forwards Authorization to the storage host.",
        lambda c: c.pull("team/app", "v1"),
        ("bob", "bob-password-2"),
        leak=True,
    ),
    "expired-token": Scenario(
        "A token that is already expired when it is used",
        "carol's token server clock is behind: every token it gives her has expired.",
        lambda c: c.pull("team/app", "v1"),
        ("carol", "carol-password-3"),
    ),
}


def missing() -> str | None:
    if shutil.which("docker-registry") is None:
        return (
            "acrproxy demo needs Debian's docker-registry (distribution): "
            "sudo apt-get install docker-registry"
        )
    return None


def _seed(env: RegistryEnv) -> None:
    """alice pushes team/app:v1 and public/hello:v1, straight to the registry (no proxy)."""
    alice = RegistryClient(f"https://{env.registry_addr}", "", env.ca, "alice", "alice-password-1")
    for repo in ("team/app", "public/hello"):
        results = alice.push(repo, "v1", LAYER)
        if results[-1].status != 201:
            raise RuntimeError(f"could not seed {repo}: {alice.log[-3:]}")


def _capture(env: RegistryEnv, scenario: Scenario, work: Path, har: Path) -> Report:
    port = free_port()
    confdir = work / "confdir"
    cmd = [
        sys.executable,
        "-m",
        "acrproxy",
        "run",
        "--quiet",
        "--listen-port",
        str(port),
        "--confdir",
        str(confdir),
        "--har",
        str(har),
        "--set",
        f"ssl_verify_upstream_trusted_ca={env.ca}",
    ]
    env_vars = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proxy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env_vars)
    try:
        wait_for_port(port, proxy)
        wait_for_file(confdir / "mitmproxy-ca-cert.pem", proxy)  # written after it listens
        user, password = scenario.user or (None, None)
        client = RegistryClient(
            f"https://{env.registry_addr}",
            f"http://127.0.0.1:{port}",
            str(confdir / "mitmproxy-ca-cert.pem"),
            user,
            password,
            leak_on_redirect=scenario.leak,
        )
        scenario.run(client)
    finally:
        proxy.send_signal(signal.SIGINT)
        proxy.wait(60)
    session = Session()
    for ex in read_exchanges(har):
        session.feed(ex)
    return session.report()


def run_demo(names: list[str], out: Path, stream: TextIO) -> int:
    """Run the scenarios; print each story; write `<name>.html` and `<name>.har` into `out`."""
    why = missing()
    if why:
        print(why, file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="acrproxy-demo-") as tmp:
        env = RegistryEnv(Path(tmp) / "lab", hosts=LOOPBACK).start()
        try:
            _seed(env)
            for n, name in enumerate(names, 1):
                scenario = SCENARIOS[name]
                report = _capture(env, scenario, Path(tmp), out / f"{name}.har")
                html = out / f"{name}.html"
                write_report(report, html, Format.HTML)
                stream.write(
                    f"\n{'#' * 100}\n# {n}. {scenario.title}\n# {scenario.what}\n{'#' * 100}\n\n"
                )
                stream.write(render(report, Format.EXPLAIN))
                stream.write(
                    f"\nThe HTML report: {html}\nThe trace: {out / f'{name}.har'} "
                    f"(redacted; `acrproxy analyze` reads it)\n"
                )
                stream.flush()
        finally:
            env.stop()
    return 0
