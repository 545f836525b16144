"""Permission propagation: refused, then granted to the same account minutes later."""

from __future__ import annotations

from acrproxy.analysis import Session
from tests.flows import T0, basic, challenge, ex, token_body
from tests.sessions import REG, tok

AUTH = "https://auth.example.test/token"


def ask(s: Session, actions: list[str], at: float) -> None:
    scope = "repository:team/app:pull,push"
    s.feed(
        ex(
            f"{REG}/v2/team/app/blobs/uploads/",
            method="POST",
            status=401,
            resp_headers=challenge(scope=scope),
            at=at,
        )
    )
    s.feed(
        ex(
            f"{AUTH}?service=reg.example.test&scope={scope}&account=bob",
            req_headers=basic("bob", "pw"),
            body=token_body(tok(actions, now=int(at))),
            at=at + 1,
        )
    )


def test_granted_minutes_after_being_refused() -> None:
    s = Session()
    ask(s, ["pull"], T0)
    ask(s, ["pull", "push"], T0 + 240)
    f = next(f for f in s.findings if f.code == "PERMISSION_PROPAGATION")
    assert f.evidence["account"] == "bob" and f.evidence["minutes"] == 4.0


def test_granted_long_after_is_not_a_propagation_delay() -> None:
    s = Session()
    ask(s, ["pull"], T0)
    ask(s, ["pull", "push"], T0 + 7200)
    assert "PERMISSION_PROPAGATION" not in {f.code for f in s.findings}
