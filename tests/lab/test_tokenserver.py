"""The lab's token server: the spec's GET and OAuth2 POST, grants as the intersection."""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import jwt
import pytest

from acrproxy.lab.pki import make_pki
from acrproxy.lab.tokenserver import TokenServer


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TokenServer, ssl.SSLContext]]:
    pki = make_pki(tmp_path_factory.mktemp("pki"), ["127.0.0.1"])
    s = TokenServer(
        "127.0.0.1",
        0,
        str(pki.server_cert),
        str(pki.server_key),
        pki.signing_key_pem,
        pki.signing_cert_der,
        pki.kid,
        "svc",
        "issuer",
    ).start()
    yield s, ssl.create_default_context(cafile=str(pki.ca_pem))
    s.stop()


def token(server, query: str, user: str | None = None, password: str = "") -> tuple[int, dict]:
    s, ctx = server
    req = urllib.request.Request(f"https://127.0.0.1:{s.port}/token?{query}")
    if user:
        req.add_header(
            "Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        )
    try:
        with urllib.request.urlopen(req, context=ctx) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def claims(body: dict) -> dict:
    return jwt.decode(body["token"], options={"verify_signature": False})


def test_grants_the_intersection_of_asked_and_allowed(server) -> None:
    status, body = token(
        server, "service=svc&scope=repository:team/app:pull,push", "bob", "bob-password-2"
    )
    assert status == 200 and claims(body)["access"][0]["actions"] == ["pull"]


def test_anonymous_may_pull_public_repositories_only(server) -> None:
    _, body = token(server, "service=svc&scope=repository:public/x:pull")
    assert claims(body)["access"][0]["actions"] == ["pull"]
    _, body = token(server, "service=svc&scope=repository:team/app:pull")
    assert claims(body)["access"][0]["actions"] == []


def test_wrong_password_and_late_clock(server) -> None:
    assert token(server, "service=svc", "bob", "nope")[0] == 401
    _, body = token(server, "service=svc&scope=repository:a:pull", "carol", "carol-password-3")
    assert claims(body)["exp"] < time.time()  # carol's tokens are already expired
