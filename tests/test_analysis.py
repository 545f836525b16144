"""Findings and auth flows from flows: every code has a positive and a negative case."""

from __future__ import annotations

import time

import jwt
import pytest

from acrproxy.analysis import Session, leak_severity
from acrproxy.findings import CATALOGUE, Severity
from tests.flows import basic, bearer, challenge, ex, token_body

KEY = "k" * 32
REG = "https://reg.example.test"
AUTH = "https://auth.example.test/token"


def tok(actions: list[str], name: str = "team/app", **claims) -> str:
    now = int(claims.pop("now", time.time()))
    base = {"iss": "issuer", "sub": "bob", "aud": "reg.example.test", "iat": now, "nbf": now - 10,
            "exp": now + 300, "access": [{"type": "repository", "name": name, "actions": actions}]}
    base.update(claims)
    return jwt.encode(base, KEY, algorithm="HS256")


def codes(session: Session) -> set[str]:
    return {f.code for f in session.findings.values()}


def auth_dance(s: Session, token: str, scope: str = "repository:team/app:pull",
               retry_status: int = 200, method: str = "GET",
               path: str = "/v2/team/app/manifests/v1", at: float | None = None) -> None:
    at = at or time.time()
    s.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge(scope=scope), at=at))
    s.feed(ex(f"{AUTH}?service=reg.example.test&scope={scope}&account=bob",
              req_headers=basic("bob", "pw"), body=token_body(token), at=at + 1))
    s.feed(ex(f"{REG}{path}", method=method, status=retry_status, req_headers=bearer(token), at=at + 2,
              resp_headers={"WWW-Authenticate": 'Bearer realm="' + AUTH + '",error="insufficient_scope"'}
              if retry_status == 401 else {}))


def test_catalogue_is_complete_and_stable() -> None:
    assert len(CATALOGUE) == 17
    assert all(code.isupper() and " " not in code for code in CATALOGUE)


def test_auth_flow_requested_granted_needed() -> None:
    s = Session()
    auth_dance(s, tok(["pull"]))
    (af,) = s.recorder.flows
    assert af.state == "completed" and af.retry and af.retry.status == 200
    assert [str(x) for x in af.requested] == ["repository:team/app:pull"]
    assert [str(x) for x in af.granted] == ["repository:team/app:pull"]
    assert af.not_granted == [] and af.needed_not_granted == [] and af.account == "bob"
    assert not s.findings


def test_scope_not_granted_and_insufficient_scope() -> None:
    s = Session()
    auth_dance(s, tok(["pull"]), scope="repository:team/app:pull,push", retry_status=401,
               method="PUT")
    assert {"SCOPE_NOT_GRANTED", "INSUFFICIENT_SCOPE"} <= codes(s)
    f = next(f for f in s.findings.values() if f.code == "SCOPE_NOT_GRANTED")
    assert f.evidence["missing"] == ["push"] and f.evidence["account"] == "bob"


def test_empty_actions_is_denied() -> None:
    s = Session()
    auth_dance(s, tok([]), retry_status=401)
    (af,) = [a for a in s.recorder.flows if a.token]
    assert af.not_granted[0].missing == ["pull"] and af.not_granted[0].granted == []


def redirect_pair(s: Session, follow_headers: dict, target: str, status: int = 200,
                  body: bytes = b"") -> None:
    t = time.time()
    s.feed(ex(f"{REG}/v2/team/app/blobs/sha256:{'a' * 64}", status=307,
              req_headers=bearer("opaque-token-value-1234"), resp_headers={"Location": target}, at=t))
    s.feed(ex(target, req_headers=follow_headers, status=status, body=body, at=t + 0.1))


def test_credential_leak_on_redirect_high_for_other_site() -> None:
    s = Session()
    redirect_pair(s, bearer("opaque-token-value-1234"),
                  "https://acct.blob.core.windows.net/c/data?sig=abc&se=1", 400,
                  b"<Error><Code>InvalidAuthenticationInfo</Code></Error>")
    found = {f.code: f for f in s.findings.values()}
    assert found["CREDENTIAL_LEAK_ON_REDIRECT"].severity == Severity.HIGH
    assert {"DOUBLE_AUTH_ON_SIGNED_URL", "STORAGE_AUTH_ERROR"} <= set(found)
    assert len(found["CREDENTIAL_LEAK_ON_REDIRECT"].flows) == 2


def test_redirect_without_credentials_is_clean() -> None:
    s = Session()
    redirect_pair(s, {}, "https://acct.blob.core.windows.net/c/data?sig=abc")
    assert not s.findings


def test_leak_is_followed_along_a_chain_back_to_the_first_request() -> None:
    s = Session()
    t = time.time()
    s.feed(ex(f"{REG}/v2/a/blobs/sha256:{'b' * 64}", status=307, resp_headers={"Location": "/hop"}, at=t))
    s.feed(ex(f"{REG}/hop", status=302, resp_headers={"Location": "https://cdn.other.test/x"}, at=t + 0.1))
    s.feed(ex("https://cdn.other.test/x", req_headers={"Cookie": "a=b"}, at=t + 0.2))
    (f,) = s.findings.values()
    assert f.code == "CREDENTIAL_LEAK_ON_REDIRECT" and f.evidence["origin"] == "reg.example.test"


@pytest.mark.parametrize("first,target,sev", [
    ("https://r.azurecr.io/v2/", "https://x.blob.core.windows.net/", Severity.HIGH),
    ("https://r.azurecr.io/v2/", "https://r.eastus.data.azurecr.io/", Severity.MEDIUM),
    ("https://reg.example.com/", "https://reg.example.com:8443/", Severity.LOW),
    ("https://reg.example.com/", "http://reg.example.com/", Severity.LOW),
    ("https://registry.a-registry.test/", "https://blob.a-storage.test/", Severity.HIGH),
    ("https://registry.a.test/", "https://blob.a.test/", Severity.MEDIUM),
    ("https://10.0.0.1/", "https://10.0.0.2/", Severity.HIGH),
])
def test_leak_severity(first, target, sev) -> None:
    assert leak_severity(first, target) == sev


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


def test_audience_mismatch() -> None:
    s = Session()
    auth_dance(s, tok(["pull"], aud="other-service"))
    assert "TOKEN_AUDIENCE_MISMATCH" in codes(s)


def test_token_request_failed() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge()))
    s.feed(ex(f"{AUTH}?service=reg.example.test", req_headers=basic("bob", "bad"), status=401,
              body=b'{"details":"invalid"}'))
    assert "TOKEN_REQUEST_FAILED" in codes(s)
    assert s.recorder.flows[0].state == "token_failed"


def test_acr_exchange_failure_is_a_token_request_failure() -> None:
    s = Session()
    s.feed(ex("https://c.azurecr.io/oauth2/exchange", method="POST", status=403,
              req_body=b"grant_type=access_token&service=c.azurecr.io&access_token=x"))
    assert "TOKEN_REQUEST_FAILED" in codes(s)


def test_challenge_missing() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=401))
    assert codes(s) == {"CHALLENGE_MISSING"}
    ok = Session()
    ok.feed(ex(f"{REG}/v2/", status=401, resp_headers=challenge()))
    assert not ok.findings


def test_rate_limited_and_low_remaining() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/library/ubuntu/manifests/latest", status=429,
              body=b'{"errors":[{"code":"TOOMANYREQUESTS"}]}'))
    low = Session()
    low.feed(ex(f"{REG}/v2/library/ubuntu/manifests/latest", resp_headers={
        "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "3;w=21600",
        "docker-ratelimit-source": "203.0.113.9"}))
    (f,) = low.findings.values()
    assert f.severity == Severity.INFO and f.evidence["remaining"] == 3
    assert f.evidence["window_seconds"] == 21600
    assert "RATE_LIMITED" in codes(s)
    plenty = Session()
    plenty.feed(ex(f"{REG}/v2/x/manifests/latest", resp_headers={"ratelimit-limit": "100;w=21600",
                                                                  "ratelimit-remaining": "80;w=21600"}))
    assert not plenty.findings


def test_upstream_error_with_phase() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    (f,) = s.findings.values()
    assert f.code == "UPSTREAM_ERROR" and f.evidence["phase"] == "connect"


def test_token_refetched_while_valid() -> None:
    s = Session()
    t = time.time()
    auth_dance(s, tok(["pull"]), at=t)
    auth_dance(s, tok(["pull"], jti="2"), at=t + 5)
    assert "TOKEN_REFETCHED" in codes(s)


def test_blob_digest_mismatch() -> None:
    from acrproxy.exchange import Exchange

    digest = "sha256:" + "c" * 64
    good = Exchange(id="1", method="GET", url=f"{REG}/v2/a/blobs/{digest}", status=200,
                    body_sha256=digest)
    bad = Exchange(id="2", method="GET", url=f"{REG}/v2/a/blobs/{digest}", status=200,
                   body_sha256="sha256:" + "d" * 64)
    s = Session()
    s.feed(good)
    assert not s.findings
    s.feed(bad)
    assert codes(s) == {"BLOB_DIGEST_MISMATCH"}


def test_client_rejected_proxy_ca() -> None:
    s = Session()
    s.tls_failed("10.0.0.5", "reg.example.test", "client does not trust the proxy's certificate")
    assert codes(s) == {"CLIENT_REJECTED_PROXY_CA"}


def test_same_finding_twice_is_one_finding_with_both_flows() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    (f,) = s.findings.values()
    assert len(f.flows) == 2


def test_response_cut_short_is_an_upstream_transfer_error() -> None:
    s = Session()
    s.feed(ex("https://blob.example.test/data", status=200,
              error="peer closed connection without sending complete message body"))
    (f,) = s.findings.values()
    assert f.code == "UPSTREAM_ERROR" and f.evidence["phase"] == "transfer"
    client_gone = Session()
    client_gone.feed(ex("https://blob.example.test/data", status=200, error="Client disconnected."))
    assert not client_gone.findings


def test_deeply_nested_json_bodies_are_not_fatal() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/x/manifests/v1", status=403, body=b"[" * 100000))
    s.feed(ex(f"{AUTH}?service=s", body=b"[" * 100000))
    from acrproxy.redact import Redactor

    assert Redactor().json_text("[" * 100000)
