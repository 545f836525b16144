"""Terminal renderables: traffic values are text, never rich markup; secrets never appear."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType

from acrproxy.analysis import Session
from acrproxy.decode import decode_value
from acrproxy.output.terminal import (
    auth_flow_tree,
    banner,
    decoded_view,
    finding_text,
    human_delta,
    human_size,
    report_view,
    request_line,
)
from tests import tokens_data as T
from tests.flows import ex
from tests.sessions import auth_dance, tok


def show(r: RenderableType) -> str:
    buf = io.StringIO()
    Console(file=buf, width=200, no_color=True).print(r)
    return buf.getvalue()


def test_request_line_and_auth_flow_tree() -> None:
    s = Session()
    auth_dance(s, tok(["pull"]))
    (af,) = s.recorder.flows
    text = show(auth_flow_tree(af))
    assert "auth flow #1" in text and "scopes asked: repository:team/app:pull" in text
    assert "retry: GET team/app manifest v1 -> 200" in text
    e = ex("https://reg.example.test/v2/team/app/manifests/v1")
    assert "team/app manifest v1" in show(request_line(e, s.feed(e)))


def test_markup_in_traffic_is_shown_as_text() -> None:
    s = Session()
    hostile = (
        'Bearer realm="https://a.test/[bold]x[/]",service="[/]",scope="repository:[red]a:pull"'
    )
    s.feed(ex("https://r.test/v2/", status=401, resp_headers={"WWW-Authenticate": hostile}))
    (af,) = s.recorder.flows
    out = show(auth_flow_tree(af))
    assert "[bold]x[/]" in out and "service=[/]" in out


def test_findings_report_and_decoded_values() -> None:
    s = Session()
    s.feed(ex("https://r.test/v2/", status=401))
    report = s.report()
    assert "CHALLENGE_MISSING" in show(finding_text(report.findings[0]))
    assert "1 request, 0 auth flows, 1 finding" in show(report_view(report))
    out = show(decoded_view(decode_value(T.ACR_ACCESS)))
    assert "unverified" in out and T.ACR_ACCESS.rsplit(".", 1)[1] not in out
    assert "username 'alice'" in show(decoded_view(decode_value("Basic YWxpY2U6c2VjcmV0")))


def test_banner_and_human_units() -> None:
    assert "acrproxy listening on http://127.0.0.1:8888" in show(
        banner("127.0.0.1", 8888, "/c.pem")
    )
    assert human_size(2048) == "2.0KiB" and human_size(None) == "-"
    assert human_delta(90) == "in 1m30s" and human_delta(-5) == "5s ago"


def test_scrubbing_console_leaves_our_own_trees_intact() -> None:
    from acrproxy.output.terminal import console
    from tests.captures import report_of

    for name in ("acr-exchange", "authenticated-pull", "denied-push"):
        buf = io.StringIO()
        c = console(buf)
        for af in report_of(name).auth_flows:
            c.print(auth_flow_tree(af))
        assert "redacted:" not in buf.getvalue(), name


def test_off_a_terminal_nothing_is_cropped() -> None:
    from acrproxy.output.terminal import console

    buf = io.StringIO()
    c = console(buf)
    from rich.tree import Tree

    t = Tree("root")
    t.add("x" * 150 + " end")
    c.print(t)
    assert "x" * 150 + " end" in buf.getvalue()
