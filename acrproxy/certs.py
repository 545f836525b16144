"""The proxy's CA files in the confdir: where the certificate is, and keeping the key private."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = ("mitmproxy-ca.pem", "mitmproxy-ca.p12")
DEFAULT_CONFDIR = Path(__file__).resolve().parent.parent / "certs"


def default_confdir() -> Path:
    """`certs/` of the checkout when run from one, else ~/.acrproxy (never ~/.mitmproxy)."""
    if (DEFAULT_CONFDIR / "README.md").exists():
        return DEFAULT_CONFDIR
    return Path.home() / ".acrproxy"


def ca_cert_path(confdir: str | Path) -> Path:
    return Path(os.path.expanduser(str(confdir))) / "mitmproxy-ca-cert.pem"


def secure_confdir(confdir: str | Path) -> None:
    """Make the confdir (0700) and the CA's private-key files (0600) private to their owner."""
    folder = Path(os.path.expanduser(str(confdir)))
    if folder.is_dir():
        os.chmod(folder, 0o700)
    for name in PRIVATE:
        p = folder / name
        if p.exists():
            os.chmod(p, 0o600)
