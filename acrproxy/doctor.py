"""`acrproxy doctor`: is this machine's proxy set-up consistent?

Anything configured to use a proxy where nothing listens (the daemon then stops working: the
FAQ's "restore when done"), whether the system trusts acrproxy's CA and for how long, whether a
client that uses the system store accepts a certificate made by it (a local TLS check, no
network), and what `acrproxy setup` left applied.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import BaseModel

from acrproxy.certs import ca_cert_path

_ENV_PROXY = re.compile(r"(?i)\b(?:HTTPS?_PROXY)=([^\s\"']+)")
_CURL_PROXY = re.compile(r"(?m)^\s*(?:proxy|x)\s*[=:]?\s*\"?([^\s\"]+)\"?")
BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
EXPIRY_DAYS = 30


class Check(BaseModel):
    name: str
    ok: bool
    detail: str
    fix: str = ""


class DoctorReport(BaseModel):
    ok: bool
    checks: list[Check]


@dataclass
class Doctor:
    root: Path
    confdir: Path
    home: str
    environment: dict[str, str]
    ask_docker: bool = True

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    def read(self, p: str) -> str:
        f = self.path(p)
        try:
            return f.read_text(errors="replace") if f.is_file() else ""
        except OSError:
            return ""

    # -- where proxies are configured -------------------------------------------------------
    def configured(self) -> list[tuple[str, str]]:
        """(where, proxy URL) for every proxy setting found."""
        found: list[tuple[str, str]] = []
        try:
            daemon = json.loads(self.read("/etc/docker/daemon.json") or "{}")
        except ValueError:
            daemon = {}
        proxies = daemon.get("proxies", {}) if isinstance(daemon, dict) else {}
        for key in ("http-proxy", "https-proxy"):
            if isinstance(proxies, dict) and isinstance(proxies.get(key), str):
                found.append(("docker: /etc/docker/daemon.json", proxies[key]))
        for unit in ("docker", "containerd"):
            folder = self.path(f"/etc/systemd/system/{unit}.service.d")
            for conf in sorted(folder.glob("*.conf")) if folder.is_dir() else []:
                for url in _ENV_PROXY.findall(conf.read_text(errors="replace")):
                    found.append((f"{unit}: {conf.relative_to(self.root)}", url))
        folder = self.path("/etc/containers/containers.conf.d")
        for conf in sorted(folder.glob("*.conf")) if folder.is_dir() else []:
            for url in _ENV_PROXY.findall(conf.read_text(errors="replace")):
                found.append((f"podman: {conf.relative_to(self.root)}", url))
        curlrc = f"{self.home.rstrip('/')}/.curlrc"
        for url in _CURL_PROXY.findall(self.read(curlrc)):
            found.append((f"curl: {curlrc}", url))
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
            if self.environment.get(name):
                found.append((f"this shell: {name}", self.environment[name]))
        if self.ask_docker and shutil.which("docker"):
            found += self._docker_info()
        if self.ask_docker:
            found += self._daemon_env("containerd")
        return list(dict.fromkeys(found))

    def _docker_info(self) -> list[tuple[str, str]]:
        try:
            out = subprocess.run(
                ["docker", "info", "--format", "{{.HTTPProxy}} {{.HTTPSProxy}}"],
                capture_output=True,
                text=True,
                timeout=15,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
        urls = [u for u in out.stdout.split() if "://" in u] if out.returncode == 0 else []
        return [("docker: the running daemon (docker info)", u) for u in urls]

    def _daemon_env(self, name: str) -> list[tuple[str, str]]:
        """A running daemon's own proxy environment (from /proc; needs the right to read it)."""
        out = []
        for comm in Path("/proc").glob("[0-9]*/comm"):
            try:
                if comm.read_text().strip() != name:
                    continue
                environ = (comm.parent / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            for entry in environ:
                key, _, value = entry.decode("utf-8", "replace").partition("=")
                if key.upper() in ("HTTPS_PROXY", "HTTP_PROXY") and value:
                    out.append((f"{name}: the running daemon's environment", value))
        return out

    @staticmethod
    def listening(url: str) -> bool:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        try:
            port = parts.port or 80
        except ValueError:
            return False
        try:
            with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    # -- the checks --------------------------------------------------------------------------
    def run(self) -> DoctorReport:
        checks = [self._proxy(where, url) for where, url in self.configured()]
        if not checks:
            checks.append(
                Check(name="proxy settings", ok=True, detail="nothing is configured to use a proxy")
            )
        checks += self._ca()
        checks += self._setups()
        return DoctorReport(ok=all(c.ok for c in checks), checks=checks)

    def _proxy(self, where: str, url: str) -> Check:
        shown = re.sub(r"//[^/@]*@", "//", url)  # never print a proxy password
        if self.listening(url):
            return Check(name=where, ok=True, detail=f"uses {shown}, which answers")
        client = where.split(":", 1)[0]
        fix = (
            f"start acrproxy there (acrproxy run --listen-port "
            f"{urlsplit(shown).port or 80}), or restore: acrproxy setup {client} --undo"
            if client in ("docker", "containerd", "podman", "curl")
            else f"start acrproxy there, or unset it (unset {where.split(': ')[-1]})"
        )
        return Check(
            name=where,
            ok=False,
            detail=f"uses {shown}, where nothing listens: requests through it fail",
            fix=fix,
        )

    def _ca(self) -> list[Check]:
        ca_path = ca_cert_path(self.confdir)
        if not ca_path.exists():
            return [
                Check(
                    name="acrproxy CA",
                    ok=True,
                    detail=f"no CA in {self.confdir} yet (made at the first acrproxy run)",
                )
            ]
        pem = ca_path.read_bytes()
        cert = x509.load_pem_x509_certificate(pem)
        days = (cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)).days
        out = [
            Check(
                name="acrproxy CA expiry",
                ok=days > EXPIRY_DAYS,
                detail=f"{ca_path} expires in {days} days",
                fix=""
                if days > EXPIRY_DAYS
                else f"remove {self.confdir}/mitmproxy-ca* and "
                "start acrproxy run to make a new one, then trust it again",
            )
        ]
        bundle = next((self.path(b) for b in BUNDLES if self.path(b).is_file()), None)
        body = b"".join(pem.split(b"-----")[2].split())
        trusted = bundle is not None and body in b"".join(bundle.read_bytes().split())
        out.append(
            Check(
                name="acrproxy CA in the system store",
                ok=trusted,
                detail=f"{'in' if trusted else 'not in'} "
                f"{bundle.relative_to(self.root) if bundle else 'any known bundle'}",
                fix=""
                if trusted
                else "acrproxy setup docker --apply (or copy the CA "
                "to /usr/local/share/ca-certificates/ and run update-ca-certificates)",
            )
        )
        if bundle is not None:
            out.append(self._tls(bundle, trusted))
        return out

    def _tls(self, bundle: Path, trusted: bool) -> Check:
        """A client that uses the store, against a certificate acrproxy makes (all local)."""
        from mitmproxy.certs import CertStore

        store = CertStore.from_store(str(self.confdir), "mitmproxy", 2048)
        entry = store.get_cert("acrproxy-doctor.test", [x509.DNSName("acrproxy-doctor.test")])
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = Path(tmp) / "c.pem", Path(tmp) / "k.pem"
            cert.write_bytes(entry.cert.to_pem() + b"".join(c.to_pem() for c in entry.chain_certs))
            key.write_bytes(
                entry.privatekey.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server.load_cert_chain(str(cert), str(key))
            try:
                client = ssl.create_default_context(cafile=str(bundle))
            except ssl.SSLError:  # an empty or broken bundle trusts nothing
                accepted = False
            else:
                accepted = _handshake(server, client)
        ok = accepted == trusted or accepted
        detail = (
            "a client using the system store accepts certificates acrproxy makes"
            if accepted
            else "a client using the system store rejects certificates acrproxy makes"
        )
        return Check(
            name="TLS through the store",
            ok=ok if trusted else True,
            detail=detail,
            fix=""
            if accepted or not trusted
            else "run update-ca-certificates (or update-ca-trust) so the store includes the CA",
        )

    def _setups(self) -> list[Check]:
        folder = self.confdir / "setup"
        out = []
        for record in sorted(folder.glob("*/record.json")) if folder.is_dir() else []:
            client = record.parent.name
            out.append(
                Check(
                    name=f"setup {client}",
                    ok=True,
                    detail="applied by acrproxy setup "
                    f"(restore with: acrproxy setup {client} --undo)",
                )
            )
        return out


def _handshake(server: ssl.SSLContext, client: ssl.SSLContext) -> bool:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            try:
                conn, _ = listener.accept()
                with server.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
                client.wrap_socket(raw, server_hostname="acrproxy-doctor.test"),
            ):
                ok = True
        except (OSError, ssl.SSLError):
            ok = False
        t.join(10)
        return ok
