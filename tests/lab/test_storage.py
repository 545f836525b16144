"""The lab's storage host: serves blobs, refuses requests that carry Authorization (as Azure)."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from pathlib import Path

from acrproxy.lab.pki import make_pki
from acrproxy.lab.storage import StorageServer


def test_serves_files_and_refuses_a_second_auth_mechanism(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", ["127.0.0.1"])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "blob").write_bytes(b"bytes")
    s = StorageServer(
        "127.0.0.1", 0, tmp_path / "data", str(pki.server_cert), str(pki.server_key)
    ).start()
    ctx = ssl.create_default_context(cafile=str(pki.ca_pem))
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{s.port}/blob", context=ctx) as r:
            assert r.read() == b"bytes"
        req = urllib.request.Request(
            f"https://127.0.0.1:{s.port}/blob", headers={"Authorization": "Bearer x"}
        )
        try:
            urllib.request.urlopen(req, context=ctx)
            raise AssertionError("storage accepted Authorization")
        except urllib.error.HTTPError as e:
            assert e.code == 400 and b"InvalidAuthenticationInfo" in e.read()
    finally:
        s.stop()
