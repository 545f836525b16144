"""capture's environment: the proxy in both cases, no bypass, the CA bundle trusted; notes."""

from __future__ import annotations

from pathlib import Path

from acrproxy.launch import client_env, warnings, write_bundle

CA = "-----BEGIN CERTIFICATE-----\nproxy\n-----END CERTIFICATE-----\n"


def test_environment_routes_and_trusts_for_this_process_only(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(CA)
    base = {"PATH": "/bin", "NO_PROXY": "registry.test", "no_proxy": "x", "HOME": "/root"}
    env = client_env(base, "http://127.0.0.1:9999", tmp_path / "bundle.pem", ca)
    assert {env[k] for k in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")} == {
        "http://127.0.0.1:9999"
    }
    assert "NO_PROXY" not in env and "no_proxy" not in env and env["PATH"] == "/bin"
    assert env["SSL_CERT_FILE"] == env["CURL_CA_BUNDLE"] == env["REQUESTS_CA_BUNDLE"]
    assert env["NODE_EXTRA_CA_CERTS"] == str(ca)
    assert base["NO_PROXY"] == "registry.test"  # the caller's own environment is untouched


def test_bundle_is_the_system_cas_plus_ours(tmp_path: Path) -> None:
    system = tmp_path / "system.pem"
    system.write_text("-----BEGIN CERTIFICATE-----\nsystem\n-----END CERTIFICATE-----\n")
    ca = tmp_path / "ca.pem"
    ca.write_text(CA)
    out = write_bundle(ca, tmp_path / "bundle.pem", system)
    text = out.read_text()
    assert text.index("system") < text.index("proxy") and out.stat().st_mode & 0o777 == 0o644


def test_notes_for_daemon_clients_and_loopback_registries() -> None:
    assert "setup docker" in warnings(["docker", "pull", "r.test/a:1"])[0]
    assert "localhost or 127.x" in warnings(["skopeo", "inspect", "docker://localhost:5000/a"])[0]
    assert "localhost or 127.x" in warnings(["curl", "https://127.0.0.1:5000/v2/"])[0]
    assert warnings(["skopeo", "inspect", "docker://registry.test:5000/a"]) == []
