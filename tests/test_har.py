"""HAR export: valid HAR 1.2, readable by mitmproxy, complete after every flow, redacted by default.

Regenerate the golden file after an intended change: python -m tests.test_har
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from pathlib import Path

import jsonschema
from mitmproxy.io import FlowReader
from mitmproxy.test import taddons

from acrproxy.addons.analyzer import Analyzer
from acrproxy.addons.harwriter import HarWriter
from acrproxy.capture import read_exchanges
from tests.flows import basic, challenge, flow, token_body

DATA = Path(__file__).resolve().parent / "data"
SCHEMA = json.loads((DATA / "har-1.2.schema.json").read_text())
GOLDEN = DATA / "export.har"
# A fixed JWT (no time in it) so the golden file is stable.
TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJ0ZXN0LWlzc3VlciIsInN1YiI6ImJvYiIsImF1ZCI6"
    "InJlZy5leGFtcGxlLnRlc3QiLCJhY2Nlc3MiOlt7InR5cGUiOiJyZXBvc2l0b3J5IiwibmFtZSI6InRlYW0vYXBwIiwi"
    "YWN0aW9ucyI6WyJwdWxsIl19XX0.SIGNATURE-SHOULD-NOT-SURVIVE-0123456789"
)


LAYER_BYTES = b"\x1f\x8b\x08\x00" + hashlib.sha256(b"layer").digest() * 32  # gzip-like


def golden_flows():
    reg, auth = "https://reg.example.test", "https://auth.example.test/token"
    blob = flow(
        f"{reg}/v2/team/app/blobs/sha256:{'a' * 64}",
        req_headers={"Authorization": f"Bearer {TOKEN}"},
        resp_headers={"content-type": "application/octet-stream"},
    )
    blob.response.raw_content = None  # streamed
    blob.metadata["acrproxy"] = {
        "stream": {"response_size": 1048577, "response_sha256": "sha256:" + "a" * 64}
    }
    upload = flow(
        f"{reg}/v2/team/app/blobs/uploads/x",
        method="PATCH",
        status=202,
        req_body=LAYER_BYTES,
        req_headers={"content-type": "application/octet-stream"},
    )
    return [
        flow(
            f"{reg}/v2/", status=401, resp_headers=challenge(realm=auth, service="reg.example.test")
        ),
        flow(
            f"{auth}?service=reg.example.test&scope=repository:team/app:pull&account=bob",
            req_headers=basic("bob", "pw-not-in-the-har"),
            body=token_body(TOKEN),
        ),
        flow(
            f"{reg}/v2/team/app/manifests/v1",
            req_headers={"Authorization": f"Bearer {TOKEN}"},
            resp_headers={"content-type": "application/vnd.oci.image.manifest.v1+json"},
            body=b'{"schemaVersion": 2}',
        ),
        blob,
        upload,
        flow(f"{reg}/v2/team/app/manifests/v2", status=None, error="Connection refused"),
    ]


def export(tmp_path: Path, flows, **options) -> Path:
    path = tmp_path / "out.har"
    a, w = Analyzer(), HarWriter()
    with taddons.context(a, w) as tctx:
        tctx.configure(w, acrproxy_har=str(path), **options)
        for f in flows:
            (a.error if f.error else a.response)(f)  # the analyzer hands the flow to the writer
            w.flush()
            json.loads(path.read_text())  # complete after every flow
        w.done()
    return path


def normalise(har: dict) -> dict:
    """Flow ids are random: number them in order of appearance."""
    text = json.dumps(har, indent=1, sort_keys=True)
    ids: dict[str, str] = {}
    return json.loads(
        re.sub(
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            lambda m: ids.setdefault(m.group(0), f"flow-{len(ids)}"),
            text,
        )
    )


def test_export_is_valid_har_and_matches_golden(tmp_path: Path) -> None:
    har = json.loads(export(tmp_path, golden_flows()).read_text())
    jsonschema.validate(har, SCHEMA)
    assert normalise(har) == json.loads(GOLDEN.read_text())


def test_export_details(tmp_path: Path) -> None:
    path = export(tmp_path, golden_flows())
    text = path.read_text()
    entries = json.loads(text)["log"]["entries"]
    assert "SIGNATURE-SHOULD-NOT-SURVIVE" not in text and "pw-not-in-the-har" not in text
    assert entries[0]["_acrproxy"]["step"] == "challenge" and entries[0]["_acrproxy"]["redacted"]
    blob = entries[3]["response"]
    assert blob["content"]["_size"] == 1048577 and blob["content"]["_sha256"].startswith("sha256:")
    assert blob["content"]["text"] == "" and "left out" in blob["content"]["comment"]
    post = entries[4]["request"]["postData"]  # binary: not known to be safe, left out
    assert post["text"] == "" and post["_size"] == len(LAYER_BYTES)
    assert post["_sha256"] == "sha256:" + hashlib.sha256(LAYER_BYTES).hexdigest()
    failed = entries[5]["response"]
    assert failed["status"] == 0 and failed["_error"] == "Connection refused"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_export_reads_back_with_mitmproxy_and_acrproxy(tmp_path: Path) -> None:
    path = export(tmp_path, golden_flows())
    with open(path, "rb") as f:
        flows = list(FlowReader(f).stream())
    assert len(flows) == 6
    exchanges = list(read_exchanges(path))
    assert (
        exchanges[1]
        .req(
            "authorization",
        )
        .startswith("Basic ")
    )


def test_no_redact_keeps_credentials_and_binary_bodies(tmp_path: Path) -> None:
    text = export(tmp_path, golden_flows(), acrproxy_redact=False).read_text()
    assert "SIGNATURE-SHOULD-NOT-SURVIVE" in text
    post = json.loads(text)["log"]["entries"][4]["request"]["postData"]
    assert post["_encoding"] == "base64" and base64.b64decode(post["text"]) == LAYER_BYTES


def test_large_buffered_body_is_left_out_with_its_digest(tmp_path: Path) -> None:
    big = b"z" * (1024 * 1024 + 1)
    f = flow("https://reg.example.test/v2/x/blobs/sha256:" + "b" * 64, body=big)
    entry = json.loads(export(tmp_path, [f]).read_text())["log"]["entries"][0]
    assert entry["response"]["content"]["_sha256"] == "sha256:" + hashlib.sha256(big).hexdigest()
    assert entry["response"]["content"]["text"] == ""


if __name__ == "__main__":
    import tempfile

    out = export(Path(tempfile.mkdtemp()), golden_flows())
    GOLDEN.write_text(
        json.dumps(normalise(json.loads(out.read_text())), indent=1, sort_keys=True) + "\n"
    )
    print(f"wrote {GOLDEN}", file=sys.stderr)


SHORT_WRITE = r"""
import json, resource, sys
from acrproxy.har import HarFile
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # like a full disk
f = HarFile(sys.argv[1])
written = failed = 0
for i in range(40):
    try:
        f.add({"comment": "x" * 900, "n": i})
        written += 1
    except OSError:
        failed += 1
f.close()
print(json.dumps({"written": written, "failed": failed}))
"""


def test_a_short_write_leaves_a_valid_har_up_to_the_last_complete_entry(tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "t.har"
    r = subprocess.run(
        [sys.executable, "-c", SHORT_WRITE, str(path)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    counts = json.loads(r.stdout)
    assert counts["failed"] > 0 and counts["written"] > 0
    entries = json.loads(path.read_text())["log"]["entries"]
    assert [e["n"] for e in entries] == list(range(counts["written"]))


def test_existing_har_paths_become_private(tmp_path: Path) -> None:
    import os

    from acrproxy.har import HarFile

    path = tmp_path / "t.har"
    path.write_text("old")
    os.chmod(path, 0o644)
    HarFile(str(path)).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_redaction_runs_off_the_event_loop(tmp_path: Path, monkeypatch) -> None:
    """The hook returns while redaction is still blocked: no other client waits for it."""
    import threading

    from acrproxy.har import EntryBuilder

    gate, started = threading.Event(), threading.Event()
    real_finish = EntryBuilder.finish

    def slow_finish(self, entry):
        started.set()
        gate.wait(timeout=30)
        return real_finish(self, entry)

    monkeypatch.setattr(EntryBuilder, "finish", slow_finish)
    path = tmp_path / "t.har"
    w = HarWriter()
    with taddons.context(w) as tctx:
        tctx.configure(w, acrproxy_har=str(path))
        w.acrproxy_analyzed(flow("https://r.test/v2/", body=b"eyJa.eyJb." * 100_000))
        assert started.wait(timeout=30)  # the worker has it, and the hook has returned
        assert json.loads(path.read_text())["log"]["entries"] == []
        gate.set()
        w.flush()
        assert len(json.loads(path.read_text())["log"]["entries"]) == 1
        w.done()
