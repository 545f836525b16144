"""Token and scope checks."""

from __future__ import annotations

import time

from acrproxy.analysis import Session
from tests.flows import basic, challenge, ex
from tests.sessions import AUTH, REG, auth_dance, codes, tok


def test_scope_not_granted_and_insufficient_scope() -> None:
    s = Session()
    auth_dance(
        s, tok(["pull"]), scope="repository:team/app:pull,push", retry_status=401, method="PUT"
    )
    assert {"SCOPE_NOT_GRANTED", "INSUFFICIENT_SCOPE"} <= codes(s)
    f = next(f for f in s.findings if f.code == "SCOPE_NOT_GRANTED")
    assert f.evidence["missing"] == ["push"] and f.evidence["account"] == "bob"


def test_audience_mismatch() -> None:
    s = Session()
    auth_dance(s, tok(["pull"], aud="other-service"))
    assert "TOKEN_AUDIENCE_MISMATCH" in codes(s)


def test_token_request_failed() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge()))
    s.feed(
        ex(
            f"{AUTH}?service=reg.example.test",
            req_headers=basic("bob", "bad"),
            status=401,
            body=b'{"details":"invalid"}',
        )
    )
    assert "TOKEN_REQUEST_FAILED" in codes(s)
    assert s.recorder.flows[0].state == "token_failed"


def test_acr_exchange_failure_is_a_token_request_failure() -> None:
    s = Session()
    s.feed(
        ex(
            "https://c.azurecr.io/oauth2/exchange",
            method="POST",
            status=403,
            req_body=b"grant_type=access_token&service=c.azurecr.io&access_token=x",
        )
    )
    assert "TOKEN_REQUEST_FAILED" in codes(s)


def test_token_refetched_while_valid() -> None:
    s = Session()
    t = time.time()
    auth_dance(s, tok(["pull"]), at=t)
    auth_dance(s, tok(["pull"], jti="2"), at=t + 5)
    assert "TOKEN_REFETCHED" in codes(s)


def test_a_token_refetched_again_and_again_is_made_only_while_it_adds_an_example(
    monkeypatch,
) -> None:
    from unittest.mock import ANY

    import acrproxy.checks.tokens as checks
    from acrproxy.sensitive import MAX_EXCHANGES_PER_FINDING

    made = []
    real = checks.make
    monkeypatch.setattr(checks, "make", lambda *a, **k: made.append(a) or real(*a, **k))

    t = float(int(time.time()))

    def refetch(s: Session) -> list:
        for i in range(MAX_EXCHANGES_PER_FINDING + 20):
            auth_dance(s, tok(["pull"], jti=str(i), now=int(t)), at=t + i)
        return s.findings

    class Unhinted(Session):
        def _full(self, code, key) -> bool:  # the hook saying nothing: every finding is made
            return False

    def shown(findings: list) -> list:  # exchange ids are new in every run: their number
        return [(f.code, f.detail, len(f.exchanges)) for f in findings]

    with_hint = refetch(Session())
    hinted = len(made)
    assert shown(refetch(Unhinted())) == shown(with_hint)
    assert ("TOKEN_REFETCHED", ANY, MAX_EXCHANGES_PER_FINDING) in shown(with_hint)
    assert hinted == MAX_EXCHANGES_PER_FINDING  # made while each one added an example
    assert len(made) - hinted == MAX_EXCHANGES_PER_FINDING + 19  # every refetch, unhinted
