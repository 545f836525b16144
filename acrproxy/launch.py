"""`acrproxy capture -- CMD`: run one command through the proxy, for that process only.

The command gets an environment that routes it through the proxy and trusts the proxy's CA
(Go clients such as skopeo, podman, crane, regctl and oras, OpenSSL clients, curl, Python's
requests, Node), and nothing global changes: no file outside the confdir, no daemon setting.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping, Sequence
from pathlib import Path

PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")
BYPASS_VARS = ("NO_PROXY", "no_proxy")
CA_VARS = ("SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE")
SYSTEM_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
    "/etc/pki/tls/certs/ca-bundle.crt",  # RHEL, Fedora
    "/etc/ssl/cert.pem",  # Alpine, macOS
)
DAEMON_CLIENTS = {"docker", "nerdctl", "podman-remote"}
_LOOPBACK_REF = re.compile(r"(^|[/@])(localhost|127(\.\d{1,3}){3}|\[?::1\]?)(:\d+)?(/|$)")


def system_bundle() -> Path | None:
    """The system's CA bundle (what clients trust when nothing else is said)."""
    paths = [ssl.get_default_verify_paths().cafile, *SYSTEM_BUNDLES]
    for p in paths:
        if p and Path(p).is_file():
            return Path(p)
    return None


def write_bundle(proxy_ca: Path, out: Path, system: Path | None = None) -> Path:
    """The system CAs plus the proxy's CA in one file (certificates only: nothing secret)."""
    system = system if system is not None else system_bundle()
    parts = [system.read_bytes()] if system is not None else []
    parts.append(proxy_ca.read_bytes())
    out.write_bytes(b"\n".join(p.rstrip(b"\n") for p in parts) + b"\n")
    out.chmod(0o644)
    return out


def client_env(
    base: Mapping[str, str], proxy_url: str, bundle: Path, proxy_ca: Path
) -> dict[str, str]:
    """`base` with the proxy set in both cases, no bypass list, and the CA bundle trusted."""
    env = {k: v for k, v in base.items() if k not in BYPASS_VARS}
    for name in PROXY_VARS:
        env[name] = proxy_url
    for name in CA_VARS:
        env[name] = str(bundle)
    env["NODE_EXTRA_CA_CERTS"] = str(proxy_ca)  # Node adds it to its own store
    return env


def warnings(cmd: Sequence[str]) -> list[str]:
    """What the user should know before the command runs through the proxy."""
    out = []
    name = Path(cmd[0]).name if cmd else ""
    if name in DAEMON_CLIENTS:
        out.append(
            f"{name} asks its daemon to pull and push; the daemon, not this command, talks to the "
            f"registry, so this capture will not see that traffic. Use `acrproxy setup {name}` "
            "to send the daemon through the proxy (and --undo it afterwards)."
        )
    if any(_LOOPBACK_REF.search(arg.split("://", 1)[-1]) for arg in cmd[1:]):
        out.append(
            "a registry given as localhost or 127.x is never sent through a proxy by Go clients "
            "(skopeo, podman, docker, crane): give it a host name that resolves to it instead."
        )
    return out


def environment() -> dict[str, str]:
    return dict(os.environ)
