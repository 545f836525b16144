"""End to end: the failures users hit, reproduced with real clients through `acrproxy run`."""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import BOB
from tests.harness.env import AUTH_HOST, SERVICE, RegistryEnv, skopeo
from tests.harness.proxy import ProxyProcess, pull_in_background, pull_via

pytestmark = pytest.mark.e2e


def bob_token(registry: RegistryEnv) -> str:
    assert registry.token is not None
    ctx = ssl.create_default_context(cafile=registry.ca)
    req = urllib.request.Request(
        f"https://{AUTH_HOST}:{registry.token.port}/token?service={SERVICE}"
        "&scope=repository:team/app:pull",
        headers={"Authorization": "Basic " + base64.b64encode(":".join(BOB).encode()).decode()},
    )
    with urllib.request.urlopen(req, context=ctx) as r:
        return json.load(r)["token"]


def curl(proxy: ProxyProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "curl",
            "-sS",
            "--proxy",
            proxy.url,
            "--cacert",
            str(proxy.ca_cert),
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_faq_curl_location_trusted_leaks_the_token_to_storage(registry, proxy):
    token = bob_token(registry)
    url = f"https://{registry.registry_addr}/v2/team/app/blobs/{registry.layer_digest}"
    r = curl(proxy, "--location-trusted", "-H", f"Authorization: Bearer {token}", url)
    assert r.stdout == "400", r.stderr  # storage refuses: InvalidAuthenticationInfo
    report = proxy.stop()
    found = {f["code"]: f for f in report["findings"]}
    leak = found["CREDENTIAL_LEAK_ON_REDIRECT"]
    assert leak["severity"] == "high" and len(leak["exchanges"]) == 2
    assert "blob.acrproxy-storage.test" in leak["detail"]
    assert "STORAGE_AUTH_ERROR" in found
    assert token not in proxy.output and token.rsplit(".", 1)[1] not in json.dumps(report)


def test_curl_without_location_trusted_and_skopeo_pull_leak_nothing(registry, proxy, tmp_path):
    token = bob_token(registry)
    url = f"https://{registry.registry_addr}/v2/team/app/blobs/{registry.layer_digest}"
    assert curl(proxy, "-L", "-H", f"Authorization: Bearer {token}", url).stdout == "200"
    pull_via(proxy, registry.registry_addr, str(tmp_path / "o"))
    report = proxy.stop()
    assert [f["code"] for f in report["findings"]] == []
    assert any("blob.acrproxy-storage.test" in h for h in report["hosts"])


def test_client_that_does_not_trust_the_proxy_ca(registry, tmp_path):
    har = tmp_path / "trace.har"
    proxy = ProxyProcess(tmp_path / "proxy", registry.ca, "--har", str(har)).start()
    r = skopeo(
        "inspect",
        "--cert-dir",
        str(registry.cert_dir()),  # the registry's CA, not ours
        f"docker://{registry.registry_addr}/team/app:v1",
        proxy=proxy.url,
        check=False,
    )
    assert r.returncode != 0 and "certificate" in r.stderr
    report = proxy.stop()
    (f,) = [f for f in report["findings"] if f["code"] == "CLIENT_REJECTED_PROXY_CA"]
    assert registry.registry_addr.split(":")[0] in f["detail"]
    assert "CLIENT_REJECTED_PROXY_CA" in proxy.output
    # the trace holds it too: whoever analyses it later sees the same finding
    again = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", "--format", "json", str(har)],
        capture_output=True,
        text=True,
    )
    codes = [f["code"] for f in json.loads(again.stdout)["findings"]]
    assert codes == ["CLIENT_REJECTED_PROXY_CA"], again.stderr


def test_registry_stopped_mid_pull(registry, proxy, tmp_path):
    """The storage host has sent half the layer when the registry stops and storage drops the
    connection: the pull fails, the proxy records it, and serves again once the registry is back.
    """
    assert registry.storage is not None
    half_sent, release = registry.storage.interrupt_next(100_000)
    pull = pull_in_background(proxy, registry.registry_addr, str(tmp_path / "a"))
    try:
        assert half_sent.wait(60), "the layer download never started"
        registry.stop_registry()
    finally:
        release.set()
    assert pull.wait(120) != 0
    registry.start_registry()
    pull_via(proxy, registry.registry_addr, str(tmp_path / "b"))
    report = proxy.stop()
    errors = [f for f in report["findings"] if f["code"] == "UPSTREAM_ERROR"]
    assert errors, report["findings"]
    assert any("blob.acrproxy-storage.test" in f["detail"] for f in errors)
    ok = [f for f in report["auth_flows"] if f["retry"] and f["retry"]["status"] == 200]
    assert len(ok) >= 2  # the first pull's auth flow, and the one after the registry came back
