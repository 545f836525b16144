"""Start and stop the lab (registry, token server, storage host); build OCI images; skopeo."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import socket
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from acrproxy.lab.pki import Pki, make_pki
from acrproxy.lab.storage import StorageServer
from acrproxy.lab.tokenserver import TokenServer

REGISTRY_HOST = "registry.acrproxy-registry.test"
AUTH_HOST = "auth.acrproxy-registry.test"
STORAGE_HOST = "blob.acrproxy-storage.test"
SERVICE = "acrproxy-registry.test"
ISSUER = "acrproxy-test-token-server"


@dataclass(frozen=True)
class Hosts:
    """Where the registry, its token server and its storage host are reached."""

    registry: str
    auth: str
    storage: str

    def bind(self, host: str) -> str:
        """The address to listen on: the host itself when it is a loopback IP."""
        return host if host.replace(".", "").isdigit() else "127.0.0.1"


NAMED = Hosts(REGISTRY_HOST, AUTH_HOST, STORAGE_HOST)
"""Names (in /etc/hosts): what Go clients need, as they never proxy loopback IPs."""
LOOPBACK = Hosts("127.0.0.1", "127.0.0.2", "127.0.0.3")
"""Three loopback addresses (three origins) that need no /etc/hosts: the demo's."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_prerequisites() -> str | None:
    """Why the environment cannot run here, or None."""
    for tool in ("docker-registry", "skopeo", "curl"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run scripts/test-deps as root)"
    for host in (REGISTRY_HOST, AUTH_HOST, STORAGE_HOST):
        try:
            addr = socket.gethostbyname(host)
        except OSError:
            return f"{host} does not resolve (run scripts/test-deps as root)"
        if not addr.startswith("127."):
            return f"{host} resolves to {addr}, not a loopback address"
    return None


@dataclass
class RegistryEnv:
    root: Path
    pki: Pki = field(init=False)
    registry_port: int = 0
    token: TokenServer | None = None
    storage: StorageServer | None = None
    registry: subprocess.Popen[bytes] | None = None
    redirect: bool = True
    hosts: Hosts = NAMED

    @property
    def registry_addr(self) -> str:
        return f"{self.hosts.registry}:{self.registry_port}"

    @property
    def ca(self) -> str:
        return str(self.pki.ca_pem)

    def start(self) -> RegistryEnv:
        self.root.mkdir(parents=True, exist_ok=True)
        h = self.hosts
        self.pki = make_pki(self.root / "pki", [h.registry, h.auth, h.storage])
        data = self.root / "data"
        data.mkdir(exist_ok=True)
        self.start_token()
        self.storage = StorageServer(
            self.hosts.bind(self.hosts.storage),
            0,
            data,
            str(self.pki.server_cert),
            str(self.pki.server_key),
        ).start()
        self.registry_port = self.registry_port or free_port()
        self.start_registry()
        return self

    def start_token(self) -> None:
        """Start the token server (again, on the same port after stop_token)."""
        port = self.token.port if self.token is not None else 0
        self.token = TokenServer(
            self.hosts.bind(self.hosts.auth),
            port,
            str(self.pki.server_cert),
            str(self.pki.server_key),
            self.pki.signing_key_pem,
            self.pki.signing_cert_der,
            self.pki.kid,
            SERVICE,
            ISSUER,
        ).start()
        self.token_running = True

    def stop_token(self) -> None:
        assert self.token is not None
        self.token.stop()
        self.token_running = False

    def start_registry(self) -> None:
        assert self.token and self.storage
        data = self.root / "data"
        middleware = ""
        if self.redirect:
            middleware = (
                "middleware:\n  storage:\n    - name: redirect\n      options:\n"
                f"        baseurl: https://{self.hosts.storage}:{self.storage.port}/\n"
            )
        config = self.root / "registry.yml"
        config.write_text(
            f"""version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {data}
  delete:
    enabled: true
{middleware}http:
  addr: {self.hosts.bind(self.hosts.registry)}:{self.registry_port}
  tls:
    certificate: {self.pki.server_cert}
    key: {self.pki.server_key}
auth:
  token:
    realm: https://{self.hosts.auth}:{self.token.port}/token
    service: {SERVICE}
    issuer: {ISSUER}
    rootcertbundle: {self.pki.ca_pem}
"""
        )
        log = open(self.root / "registry.log", "ab")
        self.registry = subprocess.Popen(
            ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        wait_for_port(self.registry_port, self.registry, self.hosts.bind(self.hosts.registry))

    def stop_registry(self) -> None:
        if self.registry is not None:
            self.registry.kill()
            self.registry.wait()
            self.registry = None

    def stop(self) -> None:
        self.stop_registry()
        if self.token is not None and getattr(self, "token_running", False):
            self.token.stop()
        if self.storage is not None:
            self.storage.stop()

    def cert_dir(self) -> Path:
        """A skopeo --cert-dir that trusts the test CA (for direct connections)."""
        d = self.root / "certs-direct"
        d.mkdir(exist_ok=True)
        shutil.copy(self.pki.ca_pem, d / "ca.crt")
        return d

    def push(self, layout: Path, repo: str, creds: str, timeout: float = 600) -> None:
        """Push an OCI layout's `latest` image to this registry as `repo` (`name:tag`), directly
        (no proxy), keeping its digests."""
        skopeo(
            "copy",
            "--preserve-digests",
            "--dest-cert-dir",
            str(self.cert_dir()),
            "--dest-creds",
            creds,
            f"oci:{layout}:latest",
            f"docker://{self.registry_addr}/{repo}",
            timeout=timeout,
        )


def wait_for_port(
    port: int,
    proc: subprocess.Popen[bytes] | subprocess.Popen[str] | None = None,
    host: str = "127.0.0.1",
    tries: int = 400,
) -> None:
    """Block until something accepts on host:port (bounded; no fixed sleeps)."""
    import select

    for _ in range(tries):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        select.select([], [], [], 0.025)
    raise RuntimeError(f"nothing listens on {host}:{port}")


def wait_for_file(
    path: Path, proc: subprocess.Popen[bytes] | None = None, tries: int = 400
) -> None:
    """Block until `path` exists (bounded; no fixed sleeps)."""
    import select

    for _ in range(tries):
        if path.exists():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before writing {path}")
        select.select([], [], [], 0.025)
    raise RuntimeError(f"{path} did not appear")


def _tar_layer(size: int, seed: int, path: Path) -> None:
    rng = random.Random(seed)
    with (
        open(path, "wb") as out,
        tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar,
    ):
        info = tarfile.TarInfo("data.bin")
        info.size = size
        info.mtime = 946681200

        class Gen(io.RawIOBase):
            left = size

            def readable(self) -> bool:
                return True

            def readinto(self, b: Any) -> int:
                n = min(len(b), self.left)
                b[:n] = rng.randbytes(n)
                self.left -= n
                return n

        tar.addfile(info, io.BufferedReader(Gen(), 1024 * 1024))


def _blob(layout: Path, data: bytes | None = None, path: Path | None = None) -> tuple[str, int]:
    h = hashlib.sha256()
    if path is not None:
        with open(path, "rb") as f:
            while chunk := f.read(1024 * 1024):
                h.update(chunk)
        size = path.stat().st_size
    else:
        assert data is not None
        h.update(data)
        size = len(data)
    digest = h.hexdigest()
    target = layout / "blobs" / "sha256" / digest
    if path is not None:
        shutil.move(path, target)
    else:
        target.write_bytes(data or b"")
    return f"sha256:{digest}", size


def make_oci_image(layout: Path, layer_bytes: int, seed: int = 1, tag: str = "latest") -> str:
    """Write an OCI image layout with one uncompressed layer of seeded random data."""
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    tmp = layout / "layer.tmp"
    _tar_layer(layer_bytes, seed, tmp)
    layer_digest, layer_size = _blob(layout, path=tmp)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
            "config": {},
        }
    ).encode()
    config_digest, config_size = _blob(layout, config)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": config_size,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest,
                    "size": layer_size,
                }
            ],
        }
    ).encode()
    manifest_digest, manifest_size = _blob(layout, manifest)
    (layout / "index.json").write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": manifest_digest,
                        "size": manifest_size,
                        "annotations": {"org.opencontainers.image.ref.name": tag},
                    }
                ],
            }
        )
    )
    return layer_digest


def skopeo(
    *args: str, proxy: str | None = None, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    if proxy:
        env["HTTPS_PROXY"] = env["HTTP_PROXY"] = proxy
    return subprocess.run(
        ["skopeo", *args], env=env, capture_output=True, text=True, timeout=timeout, check=check
    )
