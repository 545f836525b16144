"""Hostile flows through the core and the addons: arbitrary headers, bodies, tokens, sizes.

The core path (exchange, analysis, HAR entry, live view) must not raise at all; the addons must
never raise into mitmproxy and never change the flow they were given.
"""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mitmproxy import http
from mitmproxy.test import taddons, tflow
from rich.console import Console

from acrproxy.addons.analyzer import Analyzer
from acrproxy.addons.harwriter import HarWriter
from acrproxy.addons.liveview import LiveView
from acrproxy.addons.streamer import Streamer
from acrproxy.analysis import Session
from acrproxy.har import EntryBuilder
from acrproxy.mitmflow import from_flow
from acrproxy.output.terminal import request_line

NAMES = st.sampled_from(
    [
        "authorization",
        "www-authenticate",
        "location",
        "cookie",
        "set-cookie",
        "content-type",
        "content-length",
        "docker-content-digest",
        "ratelimit-remaining",
        "ratelimit-limit",
        "proxy-authorization",
        "x-junk",
    ]
)
VALUES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"Bearer ",
            b"Basic ",
            b"Bearer eyJ",
            b"Basic Og==",
            b"Bearer a.b.c",
            b'Bearer realm="',
            b"Bearer realm=https://x/t,scope=a:b",
            b"\xff\xfe\x00",
            b"Bearer eyJhbGciOiJub25lIn0.eyJleHAiOiJzb29uIn0.",
            b"5;w=abc",
            b"-1",
            b"https://[::1",
            b"//\x00",
            b"x" * 70000,
        ]
    ),
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b'{"token": 5}',
            b'{"errors": [{"code": null}]}',
            b'{"token": "eyJ.eyJ.x"}',
            b"[]",
            b'{"access_token": "' + b"a" * 5000 + b'"}',
            b"InvalidAuthenticationInfo",
            b"\x1f\x8b\x08",
        ]
    ),
)
URLS = st.sampled_from(
    [
        "https://r.test/v2/",
        "https://r.test/token?scope=%ff&service=",
        "https://r.test/oauth2/exchange",
        "https://r.test/v2/a/blobs/sha256:" + "0" * 64,
        "http://r.test/v2/x/manifests/%00",
        "https://r.test/v2/_catalog?n=-1",
        "https://b.test/data?sig=%zz&X-Amz-Signature=",
    ]
)


@st.composite
def flows(draw) -> http.HTTPFlow:
    req = http.Request.make(
        draw(st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])),
        draw(URLS),
        draw(BODIES),
    )
    for name, value in draw(st.lists(st.tuples(NAMES, VALUES), max_size=6)):
        req.headers.fields += ((name.encode(), value),)
    f = tflow.tflow(req=req, resp=False, err=False)
    kind = draw(st.sampled_from(["response", "error", "both"]))
    if kind != "error":
        resp = http.Response.make(
            draw(st.sampled_from([200, 204, 301, 307, 400, 401, 403, 429, 500, 599])), draw(BODIES)
        )
        for name, value in draw(st.lists(st.tuples(NAMES, VALUES), max_size=6)):
            resp.headers.fields += ((name.encode(), value),)
        f.response = resp
    if kind != "response":
        from mitmproxy.flow import Error

        f.error = Error(
            draw(st.sampled_from(["Connection refused", "peer closed connection", "\x00"]))
        )
    return f


session = Session()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_core_never_raises(f: http.HTTPFlow) -> None:
    ex = from_flow(f)
    ann = session.feed(ex)
    EntryBuilder().entry(f)
    Console(file=io.StringIO()).print(request_line(ex, ann))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_addons_never_raise_or_change_the_flow(f: http.HTTPFlow) -> None:
    before = (
        f.request.method,
        f.request.url,
        bytes(f.request.raw_content or b""),
        f.response.status_code if f.response else None,
        bytes(f.response.raw_content or b"") if f.response else None,
    )
    addons = [Streamer(), Analyzer(), HarWriter(), LiveView(Console(file=io.StringIO()))]
    with taddons.context(*addons):
        for a in addons:
            for hook in ("requestheaders", "responseheaders", "response", "error"):
                fn = getattr(a, hook, None)
                if fn is not None and (hook != "responseheaders" or f.response is not None):
                    fn(f)
    after = (
        f.request.method,
        f.request.url,
        bytes(f.request.raw_content or b""),
        f.response.status_code if f.response else None,
        bytes(f.response.raw_content or b"") if f.response else None,
    )
    assert after == before
