"""The auth-flow recorder: challenge -> token request -> token -> retry; asked, granted, needed."""

from __future__ import annotations

from acrproxy.analysis import Session
from tests.flows import basic, bearer, ex, token_body
from tests.sessions import AUTH, REG, auth_dance, tok


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


def test_a_flow_opened_by_a_token_request_names_the_registry_its_token_was_used_on() -> None:
    """A client that already knows the realm asks for a token with no 401 first: the flow is
    for the registry the token then goes to, not for the token request's service name."""
    s = Session()
    token = tok(["pull"])
    s.feed(
        ex(
            f"{AUTH}?service=reg.example.test&scope=repository:team/app:pull",
            req_headers=basic("bob", "pw"),
            body=token_body(token),
        )
    )
    (af,) = s.recorder.flows
    assert af.challenge is None and af.registry == "reg.example.test"
    s.feed(ex(f"{REG}:5000/v2/team/app/manifests/v1", req_headers=bearer(token)))
    assert af.registry == "reg.example.test:5000" and af.retry is not None
