"""check-health: each step and each failure a user meets, against the real lab registry where it
can produce the failure, and a fake registry where it cannot."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from acrproxy.cli import main
from acrproxy.health import FIXES, HealthCode, HealthReport, Probe, Status, login_server
from acrproxy.redact import scrub
from tests.conftest import BOB
from tests.harness.env import RegistryEnv
from tests.harness.fakeregistry import LAYER, MANIFEST, REGISTRY, FakeRegistry, fixed
from tests.harness.proxy import ProxyProcess

SCHEMA = Path(__file__).resolve().parent.parent / "acrproxy" / "schemas" / "health.schema.json"
CHALLENGE = {
    **REGISTRY,
    "WWW-Authenticate": 'Bearer realm="https://127.0.0.1:{port}/oauth2/token",'
    'service="fake.azurecr.io"',
}


def by_name(report: HealthReport) -> dict[str, tuple[Status, HealthCode | None]]:
    return {c.name: (c.status, c.code) for c in report.checks}


def no_dns(host: str, port: int) -> list[str]:
    raise socket.gaierror(-2, "Name or service not known")


def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


# -- units -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,expected",
    [
        ("myregistry", ("myregistry.azurecr.io", 443)),
        ("https://r.example.com:5000/", ("r.example.com", 5000)),
        ("R.Example.com", ("r.example.com", 443)),
        ("localhost:5000", ("localhost", 5000)),
        ("http://r.example.com", None),
        ("", None),
        ("a b", None),
        ("r.example.com:99999", None),
        ("u:p@r.example.com", None),
    ],
)
def test_login_server(value: str, expected) -> None:
    assert login_server(value) == expected


def test_dns_failure_stops_early() -> None:
    report = Probe("registry.nowhere.test", resolver=no_dns).run()
    checks = by_name(report)
    assert checks["DNS"] == (Status.ERROR, HealthCode.CONNECTIVITY_DNS_ERROR) and not report.ok
    assert checks["manifest"][0] is Status.SKIPPED and checks["storage host"][0] is Status.SKIPPED


def test_committed_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text()) == HealthReport.model_json_schema()


@pytest.mark.parametrize(
    "args,words",
    [
        (["check-health", "http://r.test"], "not a registry address"),
        (["check-health", "r.test", "--password-stdin", "--token-stdin"], "go alone"),
        (["check-health", "r.test", "--ca", "/nonexistent.pem"], "no such file"),
        (["check-health", "r.test", "--via-proxy", "socks5://x"], "give http://HOST:PORT"),
    ],
)
def test_usage_errors(capsys, args, words) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_usage_errors_never_echo_a_credential(capsys) -> None:
    assert main(["check-health", "u:s3cret-pw@r.test"]) == 2
    assert main(["check-health", "r.test", "--via-proxy", "socks5://u:s3cret-pw@p:1"]) == 2
    assert "s3cret" not in capsys.readouterr().err


def test_environment_checks_with_fake_tools(tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(
        "#!/bin/sh\necho 'Cannot connect to the Docker daemon at "
        "unix:///var/run/docker.sock' >&2\nexit 1\n"
    )
    (bin_dir / "helm").write_text("#!/bin/sh\necho v2.9.1+g123\n")
    for tool in ("docker", "helm"):
        os.chmod(bin_dir / tool, 0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    checks = by_name(Probe("r.nowhere.test", environment=True, resolver=no_dns).run())
    assert checks["docker daemon"] == (Status.ERROR, HealthCode.DOCKER_DAEMON_ERROR)
    assert checks["helm version"] == (Status.ERROR, HealthCode.HELM_VERSION_ERROR)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    checks = by_name(Probe("r.nowhere.test", environment=True, resolver=no_dns).run())
    assert checks["docker command"] == (Status.ERROR, HealthCode.DOCKER_COMMAND_ERROR)
    assert checks["helm command"] == (Status.ERROR, HealthCode.HELM_COMMAND_ERROR)


# -- against a fake registry -----------------------------------------------------------------
def fake(tmp_path: Path, routes: dict, **kw) -> FakeRegistry:
    return FakeRegistry(tmp_path / "pki", routes, **kw).start()


def probe(reg: FakeRegistry, **kw) -> dict[str, tuple[Status, HealthCode | None]]:
    p = Probe(reg.address, ca=str(reg.pki.ca_pem), resolver=loopback, **kw)
    return by_name(p.run())


def test_registry_without_a_challenge(tmp_path: Path) -> None:
    reg = fake(tmp_path, {"/v2/": fixed(401, REGISTRY)})
    try:
        assert probe(reg)["challenge"] == (Status.ERROR, HealthCode.CONNECTIVITY_CHALLENGE_ERROR)
    finally:
        reg.stop()


def test_firewall_403_and_a_403_from_something_else_are_told_apart(tmp_path: Path) -> None:
    acr = (
        b'{"errors":[{"code":"DENIED","message":"client with IP \'203.0.113.7\' is not '
        b'allowed access. Refer https://aka.ms/acr/firewall to grant access."}]}'
    )
    reg = fake(
        tmp_path, {"/v2/": fixed(403, {**REGISTRY, "Content-Type": "application/json"}, acr)}
    )
    other = fake(
        tmp_path / "2", {"/v2/": fixed(403, {"Content-Type": "text/html"}, b"<h1>No</h1>")}
    )
    try:
        assert probe(reg)["GET /v2/"] == (Status.ERROR, HealthCode.CONNECTIVITY_FORBIDDEN_ERROR)
        assert probe(other)["GET /v2/"] == (Status.ERROR, HealthCode.NOT_A_REGISTRY_ERROR)
    finally:
        reg.stop()
        other.stop()


def test_clock_skew_and_expired_certificate(tmp_path: Path) -> None:
    skewed = fake(tmp_path, {"/v2/": fixed(200, REGISTRY)}, clock_shift=600)
    expired = fake(tmp_path / "2", {"/v2/": fixed(200, REGISTRY)}, expired=True)
    try:
        assert probe(skewed)["clock"] == (Status.WARNING, HealthCode.CLOCK_SKEW_ERROR)
        checks = probe(expired)
        assert checks["TLS"] == (Status.ERROR, HealthCode.CONNECTIVITY_SSL_ERROR)
        report = Probe(expired.address, ca=str(expired.pki.ca_pem), resolver=loopback).run()
        assert "expired" in next(c.detail for c in report.checks if c.name == "TLS")
    finally:
        skewed.stop()
        expired.stop()


def registry_routes(storage_url: str) -> dict:
    return {
        "/v2/": fixed(200, REGISTRY),
        "/v2/team/app/manifests/v1": fixed(
            200,
            {**REGISTRY, "Content-Type": "application/vnd.oci.image.manifest.v1+json"},
            MANIFEST,
        ),
        f"/v2/team/app/blobs/{LAYER}": fixed(307, {**REGISTRY, "Location": storage_url}),
    }


def test_storage_host_down(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # nothing listens there once closed
    reg = fake(tmp_path, registry_routes(f"https://127.0.0.1:{dead}/blob?sig=s1gnature"))
    try:
        checks = probe(reg, repository="team/app", reference="v1")
        assert checks["blob"][0] is Status.OK
        assert checks["storage host"] == (Status.ERROR, HealthCode.STORAGE_ERROR)
    finally:
        reg.stop()


def test_acr_exchange_success_and_refusal(tmp_path: Path) -> None:
    routes: dict = {}
    reg = fake(tmp_path, routes)
    challenge = {k: v.format(port=reg.port) for k, v in CHALLENGE.items()}
    routes.update(
        {
            "/v2/": fixed(401, challenge),
            "/oauth2/exchange": fixed(
                200, {"Content-Type": "application/json"}, b'{"refresh_token": "r3fresh"}'
            ),
            "/oauth2/token": fixed(
                200, {"Content-Type": "application/json"}, b'{"access_token": "acc3ss"}'
            ),
        }
    )
    try:
        checks = probe(reg, aad_token="aad-t0ken")
        assert checks["refresh token"][0] is Status.OK and checks["access token"][0] is Status.OK
        posted = [p for m, p, _ in reg.seen if m == "POST"]
        assert posted == ["/oauth2/exchange", "/oauth2/token"]
        routes["/oauth2/exchange"] = fixed(401, {}, b"{}")
        checks = probe(reg, aad_token="aad-t0ken")
        assert checks["refresh token"] == (
            Status.ERROR,
            HealthCode.CONNECTIVITY_REFRESH_TOKEN_ERROR,
        )
        routes["/v2/"] = fixed(401, {**REGISTRY, "WWW-Authenticate": 'Basic realm="x"'})
        checks = probe(reg, aad_token="aad-t0ken")
        assert checks["access token"] == (Status.ERROR, HealthCode.CONNECTIVITY_AAD_LOGIN_ERROR)
    finally:
        reg.stop()


# -- against the real lab registry (end to end) ----------------------------------------------
@pytest.mark.e2e
def test_healthy_registry_through_the_proxy_with_the_storage_hop(
    registry: RegistryEnv, tmp_path: Path
) -> None:
    har = tmp_path / "trace.har"
    proxy = ProxyProcess(tmp_path / "proxy", registry.ca, "--har", str(har)).start()
    try:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "acrproxy",
                "check-health",
                registry.registry_addr,
                "--username",
                BOB[0],
                "--password-stdin",
                "--repository",
                "team/app",
                "--reference",
                "v1",
                "--ca",
                str(proxy.ca_cert),
                "--via-proxy",
                proxy.url,
                "--json",
            ],
            input=BOB[1] + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        proxy.stop()
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert (
        report["ok"] and {c["name"]: c["status"] for c in report["checks"]}["storage host"] == "ok"
    )
    assert set(report) == {"registry", "checks", "ok", "findings"}
    assert {"name", "status", "code", "detail", "fix", "elapsed_ms"} <= set(report["checks"][0])
    assert BOB[1] not in r.stdout + r.stderr
    urls = [e["request"]["url"] for e in json.loads(har.read_text())["log"]["entries"]]
    assert any("blob.acrproxy-storage.test" in u for u in urls)  # the probe is in the trace


@pytest.mark.e2e
def test_wrong_password_untrusted_ca_and_token_server_down(registry: RegistryEnv) -> None:
    def run(**kw) -> dict[str, tuple[Status, HealthCode | None]]:
        return by_name(
            Probe(registry.registry_addr, repository="team/app", reference="v1", **kw).run()
        )

    checks = run(username="bob", password="wrong", ca=registry.ca)
    assert checks["access token"] == (Status.ERROR, HealthCode.CONNECTIVITY_ACCESS_TOKEN_ERROR)
    assert run(username="bob", password=BOB[1])["TLS"] == (
        Status.ERROR,
        HealthCode.CONNECTIVITY_SSL_ERROR,
    )
    registry.stop_token()
    try:
        checks = run(username="bob", password=BOB[1], ca=registry.ca)
    finally:
        registry.start_token()
    assert checks["access token"] == (Status.ERROR, HealthCode.CONNECTIVITY_ACCESS_TOKEN_ERROR)


@pytest.mark.e2e
def test_exit_codes_and_the_table(registry: RegistryEnv) -> None:
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "acrproxy",
            "check-health",
            registry.registry_addr,
            "--ca",
            registry.ca,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "healthy" in ok.stdout and "storage host" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "acrproxy", "check-health", "registry.acrproxy-registry.test:1"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "CONNECTIVITY_TCP_ERROR" in bad.stdout


if __name__ == "__main__":
    SCHEMA.write_text(json.dumps(HealthReport.model_json_schema(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {SCHEMA}")


def test_fixes_pass_the_redaction_layer_unchanged() -> None:
    """The terminal scrubs each line, advice included: no fix may read like a credential."""
    assert [t for t in FIXES.values() if scrub(t) != t] == []
