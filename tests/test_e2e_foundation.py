"""End to end: real distribution, token server, storage host, skopeo, through `acrproxy run`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ALICE, BOB
from tests.harness.env import skopeo
from tests.harness.proxy import pull_via

pytestmark = pytest.mark.e2e


def test_skopeo_pull_through_proxy_records_the_auth_flow(registry, proxy, tmp_path):
    pull_via(proxy, registry.registry_addr, str(tmp_path / "out"), creds=":".join(BOB))
    report = proxy.stop()
    assert registry.registry_addr in report["hosts"], "traffic did not go through the proxy"
    done = [f for f in report["auth_flows"] if f["retry"] and f["retry"]["status"] == 200]
    assert done, report["auth_flows"]
    flow = done[0]
    assert flow["challenge"]["status"] == 401
    assert flow["registry"] == registry.registry_addr
    assert {"type": "repository", "name": "team/app", "actions": ["pull"]} in [
        {k: v for k, v in s.items() if k != "class" and v is not None} for s in flow["requested"]
    ]
    assert flow["token"]["request"]["username"] == "bob"
    granted = flow["token"]["response"]["token"]["access"]
    assert granted == [{"type": "repository", "name": "team/app", "actions": ["pull"], "extra": {}}]
    assert flow["not_granted"] == []
    out = proxy.output
    assert "auth flow #" in out and "unverified" in out and "scopes asked" in out
    assert BOB[1] not in out and ALICE[1] not in out
    # the mitmproxy flow file written alongside (save_stream_file) analyses to the same flow
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", "--format", "json", str(proxy.flows)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    again = [f for f in json.loads(r.stdout)["auth_flows"] if f["retry"]]
    assert again[0]["granted"] == flow["granted"] and again[0]["requested"] == flow["requested"]


def test_pull_only_user_push_shows_requested_vs_granted(registry, proxy):
    r = skopeo(
        "copy",
        "--preserve-digests",
        "--dest-cert-dir",
        str(proxy.cert_dir()),
        "--dest-creds",
        ":".join(BOB),
        f"oci:{registry.image}:latest",
        f"docker://{registry.registry_addr}/team/app:bob",
        proxy=proxy.url,
        check=False,
    )
    assert r.returncode != 0
    report = proxy.stop()
    gaps = [g for f in report["auth_flows"] for g in f["not_granted"]]
    assert {
        "type": "repository",
        "name": "team/app",
        "missing": ["push"],
        "granted": ["pull"],
    } in gaps
    codes = {f["code"] for f in report["findings"]}
    assert "SCOPE_NOT_GRANTED" in codes
    denied = next(f for f in report["findings"] if f["code"] == "SCOPE_NOT_GRANTED")
    assert "push" in denied["detail"] and "bob" in denied["detail"]
