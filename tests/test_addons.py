"""The mitmproxy addons, driven with mitmproxy's test context."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from mitmproxy.test import taddons
from rich.console import Console

from acrproxy.addons import default_addons
from acrproxy.addons.analyzer import Analyzer
from acrproxy.addons.liveview import LiveView
from acrproxy.addons.streamer import Streamer
from tests.flows import basic, challenge, flow, token_body
from tests import tokens_data as T

ROOT = Path(__file__).resolve().parent.parent


def test_streamer_streams_blobs_and_hashes_them() -> None:
    s = Streamer()
    with taddons.context(s) as tctx:
        tctx.configure(s, acrproxy_stream_threshold="1k")
        f = flow("https://r.test/v2/a/blobs/sha256:" + "a" * 64,
                 resp_headers={"content-length": "5000", "content-type": "application/octet-stream"})
        s.responseheaders(f)
        assert callable(f.response.stream)
        data = [b"x" * 3000, b"y" * 2000]
        assert [f.response.stream(c) for c in data] == data
        f.response.stream(b"")
        meta = f.metadata["acrproxy"]["stream"]
        assert meta["response_size"] == 5000
        assert meta["response_sha256"] == "sha256:" + hashlib.sha256(b"".join(data)).hexdigest()


def test_streamer_keeps_small_manifests_and_tokens() -> None:
    s = Streamer()
    with taddons.context(s) as tctx:
        tctx.configure(s, acrproxy_stream_threshold="1m")
        f = flow("https://r.test/v2/a/manifests/v1", resp_headers={
            "content-length": "400", "content-type": "application/vnd.oci.image.manifest.v1+json"})
        s.responseheaders(f)
        assert not f.response.stream


def test_streamer_rejects_bad_threshold() -> None:
    s = Streamer()
    with taddons.context(s) as tctx:
        with pytest.raises(Exception, match="acrproxy_stream_threshold"):
            tctx.configure(s, acrproxy_stream_threshold="lots")


def test_analyzer_annotates_flows_as_plain_json() -> None:
    a = Analyzer()
    with taddons.context(a):
        ch = flow("https://r.test/v2/", status=401, resp_headers=challenge(realm="https://a.test/token"))
        a.response(ch)
        tk = flow("https://a.test/token?service=r&scope=repository:team/app:pull",
                  req_headers=basic("bob", "pw"), body=token_body(T.DOCKER_HUB))
        a.response(tk)
        assert ch.metadata["acrproxy"]["step"] == "challenge"
        assert tk.metadata["acrproxy"]["step"] == "token_request"
        from mitmproxy.io import tnetstring

        tnetstring.dumps(tk.get_state())  # what `mitmdump -w` does: must not raise


def test_analyzer_contains_its_own_failures(monkeypatch) -> None:
    a = Analyzer()
    with taddons.context(a):
        monkeypatch.setattr(a.session, "feed", lambda ex: 1 / 0)
        f = flow("https://r.test/v2/")
        a.response(f)  # must not raise
        a.error(f)
        assert f.response.status_code == 200


def test_liveview_prints_flow_and_findings_without_secrets() -> None:
    buf = io.StringIO()
    a, v = Analyzer(), LiveView(Console(file=buf, width=200))
    with taddons.context(a, v):
        f = flow("http://r.test/v2/team/app/manifests/v1", req_headers=basic("bob", "pw-secret-9"))
        a.response(f)
        v.response(f)
    out = buf.getvalue()
    assert f.marked == ":warning:" and "CREDENTIAL_OVER_PLAINTEXT" in f.comment  # mitmweb shows both
    assert "team/app manifest v1" in out and "CREDENTIAL_OVER_PLAINTEXT" in out
    assert "pw-secret-9" not in out


def test_entry_script_loads_in_mitmproxy() -> None:
    with taddons.context() as tctx:
        script = tctx.script(str(ROOT / "addons" / "entry.py"))
        names = {type(a).__name__ for a in script.addons}
        assert names == {"Streamer", "Analyzer", "HarWriter", "LiveView"}
    assert len(default_addons()) == 4


def test_core_never_imports_addons_or_cli() -> None:
    for path in (ROOT / "acrproxy").glob("*.py"):
        text = path.read_text()
        if path.name in ("cli.py", "__main__.py"):
            continue
        assert "acrproxy.addons" not in text and "acrproxy.cli" not in text, path
        assert "mitmproxy import ctx" not in text and "from mitmproxy import ctx" not in text, path


def test_hasher_records_bytes_received_before_the_end() -> None:
    from acrproxy.streaming import Hasher

    record: dict = {}
    h = Hasher(record, "response")
    h(b"abc")
    assert record == {"response_size": 3}
    h(b"")
    assert record["response_sha256"] == "sha256:" + hashlib.sha256(b"abc").hexdigest()


def test_contained_failures_are_logged_once_per_kind(monkeypatch, caplog) -> None:
    a = Analyzer()
    with taddons.context(a):
        monkeypatch.setattr(a.session, "feed", lambda ex: 1 / 0)
        for _ in range(5):
            a.response(flow("https://r.test/v2/"))
    assert sum("analysis failed" in r.message for r in caplog.records) == 1
