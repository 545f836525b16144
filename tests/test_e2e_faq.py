"""The FAQ's diagnoses, live through `acrproxy run`: a list cut at one page, a signature lookup,
a slow upstream, and a permission that arrives minutes late (here: at once, as it is granted)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from acrproxy.lab import tokenserver
from acrproxy.lab.client import RegistryClient
from tests.conftest import ALICE, BOB
from tests.harness.env import RegistryEnv
from tests.harness.hostile import HostileUpstream
from tests.harness.proxy import ProxyProcess
from tests.test_e2e_hostile import fetch

pytestmark = pytest.mark.e2e


def through(proxy: ProxyProcess, registry: RegistryEnv, user: tuple[str, str]) -> RegistryClient:
    return RegistryClient(f"https://{registry.registry_addr}", proxy.url, str(proxy.ca_cert), *user)


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


def test_pagination_and_signature_lookups(registry: RegistryEnv, tmp_path: Path) -> None:
    alice = RegistryClient(f"https://{registry.registry_addr}", "", registry.ca, *ALICE)
    assert alice.push("team/paged", "a", b"a" * 100)[-1].status == 201  # 2+ repositories
    proxy = ProxyProcess(tmp_path / "p", registry.ca).start()
    try:
        listing = through(proxy, registry, ALICE)
        first = listing.request("GET", "/v2/_catalog?n=1")
        assert first.status == 200 and 'rel="next"' in first.headers.get("link", "")
        through(proxy, registry, BOB).request(
            "GET", "/extensions/v2/team/paged/signatures/sha256:" + "a" * 64
        )
    finally:
        report = proxy.stop()
    assert {"PAGINATION_NOT_FOLLOWED", "SIGNATURE_LOOKUP_FAILED"} <= codes(report)


def test_permission_granted_after_a_refusal(registry: RegistryEnv, tmp_path: Path) -> None:
    proxy = ProxyProcess(tmp_path / "p", registry.ca).start()
    rights = tokenserver.USERS["bob"]
    try:
        assert through(proxy, registry, BOB).push("team/late", "v1", b"x" * 100)[0].status == 401
        tokenserver.USERS["bob"] = (rights[0], {"*": {"pull", "push"}})  # the role is assigned
        assert through(proxy, registry, BOB).push("team/late", "v1", b"x" * 100)[-1].status == 201
    finally:
        tokenserver.USERS["bob"] = rights
        report = proxy.stop()
    (f,) = [f for f in report["findings"] if f["code"] == "PERMISSION_PROPAGATION"]
    assert f["evidence"]["account"] == "bob" and "push" in f["evidence"]["scope"]


def test_a_slow_upstream(tmp_path: Path) -> None:
    upstream = HostileUpstream().start()
    proxy = ProxyProcess(tmp_path / "p", None, "--set", "acrproxy_slow_after=0.2").start()
    try:
        got: list[bytes] = []
        t = threading.Thread(target=lambda: got.append(fetch(proxy, upstream.port, "/v2/slow")))
        t.start()
        assert upstream.slow_started.wait(60)
        threading.Event().wait(0.5)  # the upstream's slowness is what is under test
        upstream.slow_release.set()
        t.join(60)
    finally:
        report = proxy.stop()
        upstream.stop()
    (f,) = [f for f in report["findings"] if f["code"] == "UPSTREAM_SLOW"]
    assert f["evidence"]["phase"] == "wait" and f["evidence"]["seconds"] >= 0.2
