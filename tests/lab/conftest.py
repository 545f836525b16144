"""A lab on three loopback addresses (no /etc/hosts needed), as `acrproxy demo` runs it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from acrproxy.lab.env import LOOPBACK, RegistryEnv


@pytest.fixture(scope="module")
def loopback_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryEnv]:
    if shutil.which("docker-registry") is None:
        pytest.skip("docker-registry is not installed (scripts/test-deps installs it as root)")
    env = RegistryEnv(tmp_path_factory.mktemp("lab"), hosts=LOOPBACK).start()
    yield env
    env.stop()
