"""The lab environment: a real registry with token auth and a storage redirect, on loopback."""

from __future__ import annotations

import pytest

from acrproxy.lab.env import LOOPBACK, NAMED, RegistryEnv

pytestmark = pytest.mark.e2e


def test_hosts_bind_to_loopback_addresses() -> None:
    assert LOOPBACK.bind(LOOPBACK.auth) == "127.0.0.2" and NAMED.bind(NAMED.auth) == "127.0.0.1"


def test_the_loopback_lab_runs(loopback_lab: RegistryEnv) -> None:
    assert loopback_lab.registry_addr.startswith("127.0.0.1:")
    assert loopback_lab.token is not None and loopback_lab.storage is not None
    assert (loopback_lab.root / "registry.yml").read_text().count("127.0.0.3") == 1
