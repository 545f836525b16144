"""The auth-flow recorder: challenge -> token request -> token -> retry; asked, granted, needed."""

from __future__ import annotations

from acrproxy.analysis import Session
from tests.sessions import auth_dance, tok


def test_auth_flow_requested_granted_needed() -> None:
    s = Session()
    auth_dance(s, tok(["pull"]))
    (af,) = s.recorder.flows
    assert af.state == "completed" and af.retry and af.retry.status == 200
    assert [str(x) for x in af.requested] == ["repository:team/app:pull"]
    assert [str(x) for x in af.granted] == ["repository:team/app:pull"]
    assert af.not_granted == [] and af.needed_not_granted == [] and af.account == "bob"
    assert not s.findings


def test_empty_actions_is_denied() -> None:
    s = Session()
    auth_dance(s, tok([]), retry_status=401)
    (af,) = [a for a in s.recorder.flows if a.token]
    assert af.not_granted[0].missing == ["pull"] and af.not_granted[0].granted == []
