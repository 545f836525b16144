"""Exchanges from mitmproxy flows: headers, bodies within the limit, streamed records, errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from mitmproxy import http
from mitmproxy.test import tutils

from acrproxy.mitmflow import from_failed_connect, from_flow, pretty_url
from acrproxy.note import StreamRecord, read_note, write_note
from tests.flows import flow


def test_headers_are_lower_case_and_bodies_kept_within_the_limit() -> None:
    f = flow("https://r.test/v2/a/manifests/v1", req_headers={"X-Test": "1"}, body=b"x" * 100)
    e = from_flow(f)
    assert e.req("x-test") == "1" and e.resp_body == b"x" * 100 and e.client == "10.0.0.5"
    assert from_flow(f, body_limit=10).resp_body is None
    assert from_flow(f, body_limit=10).resp_size == 100


def test_streamed_bodies_come_from_the_note() -> None:
    f = flow("https://r.test/v2/a/blobs/sha256:" + "a" * 64)
    f.response.raw_content = None
    note = read_note(f.metadata)
    note.stream = StreamRecord(response_size=7, response_sha256="sha256:" + "b" * 64)
    write_note(f.metadata, note)
    e = from_flow(f)
    assert e.resp_size == 7 and e.body_sha256 == "sha256:" + "b" * 64


def test_errors_and_failed_connects() -> None:
    e = from_flow(flow("https://r.test/v2/", status=None, error="Connection refused"))
    assert e.status is None and e.error == "Connection refused"
    f = flow("https://r.test:443/", method="CONNECT", status=502, body=b"Bad Gateway: refused")
    f.request = http.Request.make("CONNECT", "https://r.test:443/")
    f.request.host, f.request.port = "r.test", 443
    c = from_failed_connect(f)
    assert c.status is None and "refused" in (c.error or "") and c.url == "https://r.test:443/"


def test_content_encoded_bodies_are_decoded_plain_ones_kept_as_they_are() -> None:
    import gzip

    f = flow("https://r.test/token", body=b"", resp_headers={"Content-Encoding": "gzip"})
    f.response.raw_content = gzip.compress(b'{"token": "t"}')  # as it came off the wire
    assert from_flow(f).resp_body == b'{"token": "t"}'
    f.response.raw_content = b"not gzip"
    assert from_flow(f).resp_body == b"not gzip"
    plain = flow("https://r.test/token", body=b"plain")
    assert from_flow(plain).resp_body == b"plain"


hosts = st.sampled_from(["r.test", "127.0.0.1", "::1", "xn--bcher-kva.test", "R.Test", ""])
host_headers = st.one_of(
    st.none(),
    st.sampled_from(["r.test", "r.test:443", "r.test:5000", "[::1]:8443", "a:b:c", ":80", "x:"]),
    st.text(max_size=30),
    st.text(min_size=290, max_size=320),
)


@given(
    scheme=st.sampled_from(["https", "http"]),
    host=hosts,
    port=st.integers(1, 65535),
    path=st.one_of(st.sampled_from(["/v2/", "*", "", "/v2/a?b=c#d"]), st.text(max_size=20)),
    host_header=host_headers,
    http2=st.booleans(),
)
def test_pretty_url_is_mitmproxys_pretty_url(
    scheme: str, host: str, port: int, path: str, host_header: str | None, http2: bool
) -> None:
    req = tutils.treq(scheme=scheme.encode(), host=host.encode(), port=port, path=path.encode())
    req.http_version = "HTTP/2.0" if http2 else "HTTP/1.1"
    req.authority = ""
    req.headers.pop("Host", None)
    if host_header is not None:
        req.headers["Host"] = host_header
    for _ in range(2):  # and again, from what it remembered
        assert pretty_url(req) == req.pretty_url
