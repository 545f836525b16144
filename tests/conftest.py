"""Shared fixtures: the real registry environment is session-scoped; each test has its own proxy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.env import RegistryEnv, make_oci_image, missing_prerequisites
from tests.harness.proxy import ProxyProcess

ALICE = ("alice", "alice-password-1")
BOB = ("bob", "bob-password-2")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryEnv]:
    why = missing_prerequisites()
    if why:
        pytest.skip(f"end-to-end environment unavailable: {why}")
    env = RegistryEnv(tmp_path_factory.mktemp("registry")).start()
    image = env.root / "image"
    env.layer_digest = make_oci_image(image, 256 * 1024, seed=7)  # type: ignore[attr-defined]
    env.image = image  # type: ignore[attr-defined]
    env.push(image, "team/app:v1", ":".join(ALICE))
    yield env
    env.stop()


@pytest.fixture
def proxy(registry: RegistryEnv, tmp_path: Path) -> Iterator[ProxyProcess]:
    p = ProxyProcess(tmp_path / "proxy", registry.ca).start()
    yield p
    p.kill()
