"""The analyzer addon: every flow is analysed, annotated with a typed note, marked for mitmweb."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from mitmproxy import http
from mitmproxy.io import tnetstring
from mitmproxy.test import taddons

from acrproxy.addons.analyzer import Analyzer
from acrproxy.authflow import Step
from acrproxy.note import ExchangeNote, read_note
from tests import tokens_data as T
from tests.flows import basic, challenge, flow, token_body


def test_annotates_flows_with_a_plain_json_note() -> None:
    a = Analyzer()
    with taddons.context(a):
        ch = flow(
            "https://r.test/v2/", status=401, resp_headers=challenge(realm="https://a.test/token")
        )
        a.response(ch)
        tk = flow(
            "https://a.test/token?service=r&scope=repository:team/app:pull",
            req_headers=basic("bob", "pw"),
            body=token_body(T.DOCKER_HUB),
        )
        a.response(tk)
    assert read_note(ch.metadata).step is Step.CHALLENGE
    note = read_note(tk.metadata)
    assert note.step is Step.TOKEN_REQUEST and note.auth_flow_id == 1
    assert ExchangeNote.model_validate(json.loads(json.dumps(tk.metadata["acrproxy"]))) == note
    tnetstring.dumps(tk.get_state())  # what `mitmdump -w` does: must not raise


def test_findings_mark_and_comment_the_flow() -> None:
    a = Analyzer()
    with taddons.context(a):
        f = flow("http://r.test/v2/team/app/manifests/v1", req_headers=basic("bob", "pw"))
        a.response(f)
    assert f.marked == ":warning:" and "CREDENTIAL_OVER_PLAINTEXT" in f.comment
    assert [x.code for x in read_note(f.metadata).findings] == ["CREDENTIAL_OVER_PLAINTEXT"]


def test_contains_its_own_failures_and_logs_once(monkeypatch, caplog) -> None:
    a = Analyzer()
    with taddons.context(a):
        monkeypatch.setattr(a.session, "feed", lambda ex: 1 / 0)
        for _ in range(5):
            f = flow("https://r.test/v2/")
            a.response(f)  # must not raise
            a.error(f)
        assert f.response.status_code == 200
    assert sum("analysis failed" in r.message for r in caplog.records) == 1


def test_writes_the_report_on_exit(tmp_path: Path) -> None:
    a = Analyzer()
    out = tmp_path / "report.json"
    with taddons.context(a) as tctx:
        tctx.configure(a, acrproxy_report=str(out))
        a.response(flow("https://r.test/v2/", status=401))
        a.done()
    report = json.loads(out.read_text())
    assert [f["code"] for f in report["findings"]] == ["CHALLENGE_MISSING"]
    assert out.stat().st_mode & 0o777 == 0o600


def test_slow_after_option() -> None:
    import pytest

    a = Analyzer()
    with taddons.context(a) as tctx:
        tctx.configure(a, acrproxy_slow_after="2.5")
        assert a.session.slow_after == 2.5
        with pytest.raises(Exception, match="positive"):
            tctx.configure(a, acrproxy_slow_after="-1")


class Listener:
    def __init__(self) -> None:
        self.analysed: list[tuple[str, bool]] = []

    def acrproxy_analyzed(self, flow: http.HTTPFlow) -> None:
        self.analysed.append((flow.request.path, "acrproxy" in flow.metadata))


def test_in_the_proxy_the_analysis_runs_after_the_hook_returns_in_completion_order() -> None:
    async def proxy_like() -> tuple[list[bool], Listener, Listener]:
        a, later = Analyzer(), Listener()
        with taddons.context(a, later):
            flows = [flow(f"https://r.test/v2/r{i}/manifests/v1") for i in range(3)]
            for f in flows:
                a.response(f)  # returns at once: mitmproxy passes the response on
            before = ["acrproxy" in f.metadata for f in flows]
            await asyncio.sleep(0)  # yield one turn of the loop (not a timed wait)
            after = Listener()
            after.analysed = list(later.analysed)
            a.response(flow("https://r.test/v2/last/manifests/v1"))
            a.done()  # on exit nothing queued is lost
        return before, after, later

    before, after_one_turn, at_exit = asyncio.run(proxy_like())
    assert before == [False, False, False]
    assert after_one_turn.analysed == [(f"/v2/r{i}/manifests/v1", True) for i in range(3)]
    assert at_exit.analysed[-1] == ("/v2/last/manifests/v1", True)
