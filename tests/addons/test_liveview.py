"""The live view: one line per request, auth-flow trees, findings; never a secret."""

from __future__ import annotations

import io

from mitmproxy.test import taddons
from rich.console import Console

from acrproxy.addons.analyzer import Analyzer
from acrproxy.addons.liveview import LiveView
from acrproxy.analysis import Session
from acrproxy.checks.tls import rejected_handshake
from tests.flows import basic, flow


def test_prints_flow_and_findings_without_secrets() -> None:
    buf = io.StringIO()
    a, v = Analyzer(), LiveView(Console(file=buf, width=200))
    with taddons.context(a, v):
        f = flow("http://r.test/v2/team/app/manifests/v1", req_headers=basic("bob", "pw-secret-9"))
        a.response(f)  # the analyzer announces the analysed flow to the view
    out = buf.getvalue()
    assert "team/app manifest v1" in out and "CREDENTIAL_OVER_PLAINTEXT" in out
    assert "pw-secret-9" not in out


def test_renders_findings_raised_outside_flows() -> None:
    buf = io.StringIO()
    v = LiveView(Console(file=buf, width=200))
    with taddons.context(v):
        ex = rejected_handshake("c1", "10.0.0.5", "r.test", "unknown ca", 946681200.0)
        v.acrproxy_exchange(ex, Session().feed(ex))
    assert "CLIENT_REJECTED_PROXY_CA" in buf.getvalue()


def test_quiet_prints_nothing() -> None:
    buf = io.StringIO()
    v = LiveView(Console(file=buf, width=200))
    with taddons.context(v) as tctx:
        tctx.configure(v, acrproxy_view=False)
        v.acrproxy_analyzed(flow("https://r.test/v2/"))
        ex = rejected_handshake("c1", "10.0.0.5", "r.test", "unknown ca", 946681200.0)
        v.acrproxy_exchange(ex, Session().feed(ex))
    assert buf.getvalue() == ""
