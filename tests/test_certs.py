"""The proxy CA's confdir: private to its owner."""

from __future__ import annotations

import os
from pathlib import Path

from acrproxy.certs import ca_cert_path, secure_confdir


def test_confdir_and_keys_are_private(tmp_path: Path) -> None:
    d = tmp_path / "conf"
    d.mkdir(mode=0o755)
    key = d / "mitmproxy-ca.pem"
    key.write_text("k")
    os.chmod(key, 0o644)
    secure_confdir(str(d))
    assert d.stat().st_mode & 0o777 == 0o700 and key.stat().st_mode & 0o777 == 0o600
    assert ca_cert_path(str(d)).name == "mitmproxy-ca-cert.pem"
