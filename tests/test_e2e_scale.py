"""End to end under load and faults: concurrent pulls, a service down, a stalled storage host."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ALICE
from tests.harness.env import make_oci_image
from tests.harness.proxy import inspect_via, pull_in_background, pull_via

pytestmark = pytest.mark.e2e
LOAD_IMAGES = 8
LOAD_MIB = 100


@pytest.fixture(scope="module")
def load_images(registry):
    """Eight different 100 MiB single-layer images, pushed directly."""
    digests = {}
    for i in range(LOAD_IMAGES):
        layout = registry.root / f"load-{i}"
        digests[f"load/app{i}:v1"] = make_oci_image(layout, LOAD_MIB * 1024 * 1024, seed=100 + i)
        registry.push(layout, f"load/app{i}:v1", ":".join(ALICE))
        subprocess.run(["rm", "-rf", str(layout)], check=True)
    return digests


def test_eight_concurrent_100mib_pulls_complete_and_verify(registry, proxy, load_images, tmp_path):
    def pull(repo: str) -> str:
        dest = tmp_path / repo.replace("/", "_").replace(":", "_")
        # skopeo verifies every blob's digest while copying
        pull_via(proxy, registry.registry_addr, str(dest), repo=repo, layout="dir", timeout=900)
        return repo

    with ThreadPoolExecutor(LOAD_IMAGES) as pool:
        done = list(pool.map(pull, load_images))
    assert sorted(done) == sorted(load_images)
    report = proxy.stop()
    assert not [
        f for f in report["findings"] if f["code"] in ("BLOB_DIGEST_MISMATCH", "UPSTREAM_ERROR")
    ]
    completed = [f for f in report["auth_flows"] if f["retry"] and f["retry"]["status"] == 200]
    assert len(completed) >= LOAD_IMAGES


@pytest.mark.parametrize(
    "service,host",
    [("registry", "registry.acrproxy-registry.test"), ("token", "auth.acrproxy-registry.test")],
)
def test_service_down_is_an_upstream_error_and_the_proxy_keeps_serving(
    registry, proxy, tmp_path, service, host
):
    getattr(registry, f"stop_{service}")()
    try:
        assert inspect_via(proxy, registry.registry_addr, check=False).returncode != 0
    finally:
        getattr(registry, f"start_{service}")()
    pull_via(proxy, registry.registry_addr, str(tmp_path / "o"))
    report = proxy.stop()
    errors = [
        f for f in report["findings"] if f["code"] == "UPSTREAM_ERROR" and host in f["detail"]
    ]
    assert errors and errors[0]["evidence"]["phase"] == "connect", report["findings"]
    assert any(f["retry"] and f["retry"]["status"] == 200 for f in report["auth_flows"])


def test_stalled_storage_host_does_not_stall_the_proxy(registry, proxy, tmp_path):
    """While one blob download hangs half way, another pull through the same proxy completes."""
    assert registry.storage is not None
    half_sent, release = registry.storage.interrupt_next(100_000)
    stalled = pull_in_background(proxy, registry.registry_addr, str(tmp_path / "a"))
    try:
        assert half_sent.wait(60)
        r = inspect_via(proxy, registry.registry_addr)
        assert '"Digest"' in r.stdout
        assert stalled.poll() is None  # still hanging while the other client was served
    finally:
        release.set()
    stalled.wait(120)
    report = proxy.stop()
    assert any(
        "blob.acrproxy-storage.test" in f["detail"]
        for f in report["findings"]
        if f["code"] == "UPSTREAM_ERROR"
    )
