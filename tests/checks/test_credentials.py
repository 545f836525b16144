"""Credential checks: plaintext, signed URLs, token validity."""

from __future__ import annotations

import time

from acrproxy.analysis import Session
from tests.flows import basic, bearer, challenge, ex
from tests.sessions import REG, codes, tok


def test_plaintext_credentials_and_insecure_realm() -> None:
    s = Session()
    s.feed(ex("http://reg.example.test/v2/", req_headers=basic("u", "p"), status=200))
    s.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge(realm="http://auth.example.test/t")))
    assert {"CREDENTIAL_OVER_PLAINTEXT", "REALM_INSECURE"} <= codes(s)
    clean = Session()
    clean.feed(ex(f"{REG}/v2/", req_headers=basic("u", "p"), status=200))
    assert not clean.findings


def test_token_expired_and_not_yet_valid() -> None:
    s = Session()
    old = tok(["pull"], now=time.time() - 3600)
    now = time.time()
    s.feed(ex(f"{REG}/v2/team/app/manifests/v1", req_headers=bearer(old), status=401, at=now))
    future = tok(["pull"], nbf=int(now) + 600)
    s.feed(ex(f"{REG}/v2/team/app/manifests/v2", req_headers=bearer(future), status=401, at=now))
    assert {"TOKEN_EXPIRED", "TOKEN_NOT_YET_VALID"} <= codes(s)
    fresh = Session()
    fresh.feed(ex(f"{REG}/v2/team/app/manifests/v1", req_headers=bearer(tok(["pull"])), at=now))
    assert not fresh.findings
