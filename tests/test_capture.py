"""Reading captures: HAR entries map to exchanges, including acrproxy's own export fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acrproxy.analysis import Session
from acrproxy.capture import read_exchanges
from acrproxy.errors import CaptureReadError


def har(tmp_path: Path, entries: list[dict]) -> Path:
    p = tmp_path / "c.har"
    p.write_text(
        json.dumps(
            {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "t", "version": "1"},
                    "entries": entries,
                }
            }
        )
    )
    return p


def entry(url: str, status: int = 200, content: dict | None = None, **resp) -> dict:
    return {
        "startedDateTime": "2026-11-27T10:00:00.000Z",
        "time": 5,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "queryString": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": content or {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 0,
            **resp,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
    }


def test_failed_entry_and_streamed_digest_are_analysed(tmp_path: Path) -> None:
    digest = "sha256:" + "a" * 64
    p = har(
        tmp_path,
        [
            entry("https://r.test/v2/", status=0, _error="Connection refused"),
            entry(
                f"https://r.test/v2/x/blobs/{digest}",
                content={
                    "size": 5,
                    "mimeType": "",
                    "text": "",
                    "_size": 5,
                    "_sha256": "sha256:" + "b" * 64,
                },
            ),
        ],
    )
    exs = list(read_exchanges(p))
    assert exs[0].status is None and exs[0].error == "Connection refused" and exs[0].id == "entry-1"
    assert exs[1].resp_size == 5 and exs[1].ended == exs[1].started + 0.005
    s = Session()
    for ex in exs:
        s.feed(ex)
    assert {f.code for f in s.findings} == {"UPSTREAM_ERROR", "BLOB_DIGEST_MISMATCH"}


def test_base64_response_and_slack_style_headers(tmp_path: Path) -> None:
    e = entry(
        "https://r.test/v2/",
        status=401,
        content={"size": 2, "mimeType": "", "text": "e30=", "encoding": "base64"},
    )
    e["response"]["headers"] = [["WWW-Authenticate", 'Bearer realm="https://a.test/t"']]
    (ex,) = read_exchanges(har(tmp_path, [e]))
    assert ex.resp_body == b"{}" and ex.resp("www-authenticate").startswith("Bearer")


@pytest.mark.parametrize(
    "text,match",
    [
        ("{not json", "not a HAR"),
        ('{"log": {}}', "not a HAR"),
        ('{"log": {"entries": [{"request": {}}]}}', "entry 1"),
        ('{"log": ' + "[" * 100000, "not a HAR"),
    ],
)
def test_unreadable(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.har"
    p.write_text(text)
    with pytest.raises(CaptureReadError, match=match):
        list(read_exchanges(p))


@pytest.mark.parametrize("gc_on", [True, False])
def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path: Path, gc_on: bool) -> None:
    import gc

    good = har(tmp_path, [entry("https://r.test/v2/"), entry("https://r.test/v2/")])
    bad = tmp_path / "bad.har"
    bad.write_text('{"log": {"entries": [{"request": {}}]}}')
    frozen = gc.get_freeze_count()
    (gc.enable if gc_on else gc.disable)()
    try:
        assert len(list(read_exchanges(good))) == 2
        assert (gc.isenabled(), gc.get_freeze_count()) == (gc_on, frozen)
        with pytest.raises(CaptureReadError):
            list(read_exchanges(bad))
        with pytest.raises(CaptureReadError):
            list(read_exchanges(tmp_path / "none.har"))
        half = read_exchanges(good)
        next(half)
        assert gc.get_freeze_count() > frozen  # the parsed capture, while it is read
        half.close()
        assert (gc.isenabled(), gc.get_freeze_count()) == (gc_on, frozen)
    finally:
        gc.enable()


@pytest.mark.parametrize("host", ["r.test:99999", "r.test:x", "u:p@r.test:-1", "[::1"])
def test_a_url_no_client_could_send_is_a_capture_error(tmp_path: Path, host: str) -> None:
    with pytest.raises(CaptureReadError, match="entry 2"):
        list(read_exchanges(har(tmp_path, [entry("https://r.test/"), entry(f"https://{host}/")])))


@pytest.mark.parametrize("host", ["r.test:443", "u:p@r.test", "[::1]:8443", "R.TEST:1"])
def test_urls_with_ports_and_userinfo_are_read(tmp_path: Path, host: str) -> None:
    (got,) = read_exchanges(har(tmp_path, [entry(f"https://{host}/v2/")]))
    assert got.url == f"https://{host}/v2/"


def test_garbage_flow_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.mitm"
    p.write_bytes(b"\x00\x01garbage")
    with pytest.raises(CaptureReadError, match="bad.mitm"):
        list(read_exchanges(p))


GOOD = json.dumps(
    {
        "log": {
            "version": "1.2",
            "creator": {"name": "t", "version": "1"},
            "entries": [entry("https://r.test/v2/", status=401)],
        }
    }
).encode()


@given(
    st.one_of(
        st.binary(max_size=400),
        st.integers(0, len(GOOD)).map(lambda n: GOOD[:n]),  # truncated
        st.binary(max_size=50).map(lambda b: b"\xef\xbb\xbf{" + b),
        st.binary(max_size=200).map(lambda b: GOOD.replace(b"401", b"4" + b[:3])),
    )
)
@settings(max_examples=300, deadline=None)
def test_hostile_capture_files_raise_only_capture_errors(data: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".har") as f:
        f.write(data)
        f.flush()
        try:
            for ex in read_exchanges(f.name):
                Session().feed(ex)
        except CaptureReadError:
            pass


def test_har_timings_keep_only_non_negative_numbers(tmp_path: Path) -> None:
    from acrproxy.exchange import Timings

    e = entry("https://r.test/v2/")
    e["timings"] = {"connect": -1, "ssl": 2.5, "send": True, "wait": "7", "receive": 0}
    plain = entry("https://r.test/v2/")
    plain["timings"] = "soon"
    got, none = read_exchanges(har(tmp_path, [e, plain]))
    assert got.timings == Timings(connect=None, tls=2.5, send=None, wait=None, receive=0.0)
    assert none.timings is None
