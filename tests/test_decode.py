"""`decode` returns models: tokens, Basic credentials, challenges, scopes, token responses."""

from __future__ import annotations

import json

import pytest

from acrproxy.decode import DecodedBasic, DecodedChallenges, DecodedScopes, decode_value
from acrproxy.errors import ParseError
from acrproxy.tokenreq import TokenResponse
from acrproxy.tokens import Token
from tests import tokens_data as T


def test_each_kind() -> None:
    assert isinstance(decode_value(T.DOCKER_HUB), Token)
    assert isinstance(decode_value(f"Authorization: Bearer {T.DOCKER_HUB}"), Token)
    basic = decode_value("Basic YWxpY2U6c2VjcmV0")
    assert isinstance(basic, DecodedBasic) and basic.username == "alice"
    assert isinstance(decode_value('Bearer realm="https://a/t",service="s"'), DecodedChallenges)
    assert isinstance(decode_value("repository:a/b:pull"), DecodedScopes)
    resp = decode_value(json.dumps({"token": T.DOCKER_HUB, "expires_in": 300}))
    assert isinstance(resp, TokenResponse) and resp.kind == "token_response"


def test_no_secret_in_any_model() -> None:
    basic = decode_value("Basic YWxpY2U6aHVudGVyMi1zZWNyZXQ=")
    assert "hunter2" not in basic.model_dump_json()
    token = decode_value(T.ACR_ACCESS)
    assert T.ACR_ACCESS.rsplit(".", 1)[1] not in token.model_dump_json()


@pytest.mark.parametrize("bad", ["", "   ", "hello", "\x00", "{nope"])
def test_unrecognised_input_is_a_parse_error(bad: str) -> None:
    with pytest.raises(ParseError):
        decode_value(bad)
