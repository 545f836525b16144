"""The built-in registry client against the lab, direct (no proxy)."""

from __future__ import annotations

import pytest

from acrproxy.lab.client import RegistryClient
from acrproxy.lab.env import RegistryEnv

pytestmark = pytest.mark.e2e
LAYER = b"layer" * 20000


def client(lab: RegistryEnv, user: str | None = None, pw: str | None = None) -> RegistryClient:
    return RegistryClient(f"https://{lab.registry_addr}", "", lab.ca, user, pw)


def test_push_then_pull_with_the_storage_redirect(loopback_lab: RegistryEnv) -> None:
    alice = client(loopback_lab, "alice", "alice-password-1")
    assert [r.status for r in alice.push("team/c", "v1", LAYER)] == [201, 201, 201]
    bob = client(loopback_lab, "bob", "bob-password-2")
    results = bob.pull("team/c", "v1")
    assert results[-1].status == 200 and results[-1].body == LAYER
    assert any("127.0.0.3" in line for line in bob.log)  # the blob came from storage


def test_bob_may_not_push(loopback_lab: RegistryEnv) -> None:
    bob = client(loopback_lab, "bob", "bob-password-2")
    assert bob.push("team/c", "bob", LAYER)[0].status == 401
