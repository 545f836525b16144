"""Token requests and responses: GET realm, OAuth2 POST, ACR /oauth2/exchange."""

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acrproxy.errors import ParseError
from acrproxy.tokenreq import parse_token_request, parse_token_response
from tests import tokens_data as T


def basic(user: str, pw: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


def test_get_with_repeated_scopes_account_and_basic() -> None:
    r = parse_token_request(
        "GET",
        "https://auth.docker.io/token?service=registry.docker.io&scope=repository:a:pull"
        "&scope=repository:b:pull,push&account=bob&client_id=docker&offline_token=true",
        basic("bob", "pw-secret"),
        None,
    )
    assert r.kind == "get" and r.service == "registry.docker.io" and r.account == "bob"
    assert [str(s) for s in r.scopes] == ["repository:a:pull", "repository:b:pull,push"]
    assert r.offline_token and r.client_id == "docker" and r.username == "bob"
    assert r.credential == "basic" and "pw-secret" not in r.model_dump_json()


def test_oauth2_password_grant() -> None:
    r = parse_token_request(
        "POST",
        "https://r.example/token",
        {},
        b"grant_type=password&username=u&password=p4ss&service=s"
        b"&scope=repository%3Aa%3Apull+repository%3Ab%3Apush&client_id=c",
    )
    assert r.kind == "oauth2" and r.grant_type == "password" and r.username == "u"
    assert len(r.scopes) == 2 and r.credential == "password" and "p4ss" not in r.model_dump_json()


def test_acr_exchange() -> None:
    r = parse_token_request(
        "POST",
        "https://contoso.azurecr.io/oauth2/exchange",
        {},
        f"grant_type=access_token&service=contoso.azurecr.io&tenant=t-1"
        f"&access_token={T.ACR_ACCESS}".encode(),
    )
    assert r.kind == "acr_exchange" and r.tenant == "t-1" and r.credential == "access_token"
    assert any("Entra" in n for n in r.notes)


def test_acr_refresh_grant() -> None:
    r = parse_token_request(
        "POST",
        "https://contoso.azurecr.io/oauth2/token",
        {},
        f"grant_type=refresh_token&service=contoso.azurecr.io"
        f"&scope=repository:a:pull&refresh_token={T.ACR_REFRESH}".encode(),
    )
    assert r.grant_type == "refresh_token" and r.credential == "refresh_token"


def test_null_guid_username_noted() -> None:
    r = parse_token_request(
        "GET",
        "https://c.azurecr.io/oauth2/token?service=c.azurecr.io",
        basic("00000000-0000-0000-0000-000000000000", T.ACR_REFRESH),
        None,
    )
    assert any("ACR token" in n for n in r.notes)


def test_response_token_and_refresh() -> None:
    body = json.dumps(
        {
            "token": T.DOCKER_HUB,
            "access_token": T.DOCKER_HUB,
            "expires_in": 300,
            "issued_at": "2026-11-27T00:00:00Z",
            "refresh_token": "opaque-refresh-xyz",
        }
    )
    r = parse_token_response(body)
    assert r.token and r.token.access[0].name == "library/ubuntu"
    assert r.refresh_token and r.refresh_token.kind == "opaque" and r.expires_in == 300
    assert "opaque-refresh-xyz" not in r.model_dump_json()


def test_acr_exchange_response_has_only_refresh_token() -> None:
    r = parse_token_response(json.dumps({"refresh_token": T.ACR_REFRESH}))
    assert r.token is None and r.refresh_token and r.refresh_token.label.startswith("ACR refresh")


def test_expiry_falls_back_to_issued_at_and_minimum_60s() -> None:
    r = parse_token_response(
        json.dumps(
            {"token": "opaque-token-123456", "expires_in": 5, "issued_at": "2026-01-01T00:00:00Z"}
        )
    )
    assert r.expiry(0) == 1767225600 + 60


@pytest.mark.parametrize(
    "bad,match",
    [
        ("not json", "not JSON"),
        ("[]", "not a JSON object"),
        ("{}", "no token"),
        ('{"token": 5}', "not strings"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100000, "not JSON"),  # deeper than the JSON parser's recursion limit
    ],
)
def test_response_errors(bad, match) -> None:
    with pytest.raises(ParseError, match=match):
        parse_token_response(bad)


@given(st.binary(max_size=500))
def test_hostile_bodies(body: bytes) -> None:
    for call in (
        lambda: parse_token_response(body),
        lambda: parse_token_request("POST", "https://x/oauth2/token", {}, body),
    ):
        try:
            call()
        except ParseError:
            pass


def test_a_repeated_request_is_parsed_once_and_the_memo_holds_no_credential() -> None:
    from acrproxy import tokenreq

    url = "https://auth.example.test/token?service=s&scope=repository:memo/app:pull"
    first = parse_token_request("GET", url, basic("alice", "pw-memo-1"), None)
    assert parse_token_request("GET", url, basic("alice", "pw-memo-1"), None) is first
    other = parse_token_request("GET", url, basic("bob", "pw-memo-2"), None)
    assert (first.username, other.username) == ("alice", "bob")
    assert first.credential_fingerprint != other.credential_fingerprint
    post = parse_token_request("POST", url, {}, b"grant_type=password&password=pw-memo-3")
    assert post.kind == "oauth2" and post.credential == "password"
    kept = repr(list(tokenreq._MEMO._known.items()))
    assert not any(pw in kept for pw in ("pw-memo-1", "pw-memo-2", "pw-memo-3"))
    assert all(isinstance(k, bytes) and len(k) == 32 for k in tokenreq._MEMO._known)


@given(
    st.sampled_from(["GET", "POST", "get"]),
    st.text(max_size=80),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.binary(max_size=60)),
)
def test_remembered_parse_is_the_parse(method: str, query: str, auth, body) -> None:
    from acrproxy.tokenreq import _parse_token_request

    url = "https://auth.example.test/token?" + query
    headers = {"authorization": auth} if auth is not None else {}
    for _ in range(2):  # the second time from the memo
        try:
            want = _parse_token_request(method, url, headers, body)
        except (ParseError, ValueError) as e:
            with pytest.raises(type(e)):
                parse_token_request(method, url, headers, body)
        else:
            assert parse_token_request(method, url, headers, body) == want
