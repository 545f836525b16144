"""Helpers for analysis tests: tokens, an auth dance, a redirect pair."""

from __future__ import annotations

import time

import jwt

from acrproxy.analysis import Session
from tests.flows import basic, bearer, challenge, ex, token_body

KEY = "k" * 32
REG = "https://reg.example.test"
AUTH = "https://auth.example.test/token"


def tok(actions: list[str], name: str = "team/app", **claims) -> str:
    now = int(claims.pop("now", time.time()))
    base = {
        "iss": "issuer",
        "sub": "bob",
        "aud": "reg.example.test",
        "iat": now,
        "nbf": now - 10,
        "exp": now + 300,
        "access": [{"type": "repository", "name": name, "actions": actions}],
    }
    base.update(claims)
    return jwt.encode(base, KEY, algorithm="HS256")


def codes(session: Session) -> set[str]:
    return {f.code for f in session.findings}


def auth_dance(
    s: Session,
    token: str,
    scope: str = "repository:team/app:pull",
    retry_status: int = 200,
    method: str = "GET",
    path: str = "/v2/team/app/manifests/v1",
    at: float | None = None,
) -> None:
    at = at or time.time()
    s.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge(scope=scope), at=at))
    s.feed(
        ex(
            f"{AUTH}?service=reg.example.test&scope={scope}&account=bob",
            req_headers=basic("bob", "pw"),
            body=token_body(token),
            at=at + 1,
        )
    )
    s.feed(
        ex(
            f"{REG}{path}",
            method=method,
            status=retry_status,
            req_headers=bearer(token),
            at=at + 2,
            resp_headers={
                "WWW-Authenticate": 'Bearer realm="' + AUTH + '",error="insufficient_scope"'
            }
            if retry_status == 401
            else {},
        )
    )


def redirect_pair(
    s: Session, follow_headers: dict, target: str, status: int = 200, body: bytes = b""
) -> None:
    t = time.time()
    s.feed(
        ex(
            f"{REG}/v2/team/app/blobs/sha256:{'a' * 64}",
            status=307,
            req_headers=bearer("opaque-token-value-1234"),
            resp_headers={"Location": target},
            at=t,
        )
    )
    s.feed(ex(target, req_headers=follow_headers, status=status, body=body, at=t + 0.1))
