"""`acrproxy decode`: recognise a value (JWT, Authorization, WWW-Authenticate, scope, token
response) and decode it without verifying anything. Returns models; `acrproxy.output` renders."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from acrproxy.challenge import Challenge, parse_www_authenticate
from acrproxy.errors import ParseError
from acrproxy.fingerprint import looks_like_jwt
from acrproxy.scopes import Scope, parse_scopes
from acrproxy.tokenreq import TokenResponse, parse_token_response
from acrproxy.tokens import Token, decode_token, parse_authorization

_AUTHZ = re.compile(r"^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*\s+[A-Za-z0-9._~+/-]+=*$")
_OPAQUE = re.compile(r"^[A-Za-z0-9._~+/-]{16,}=*$")


class _Decoded(BaseModel):
    model_config = ConfigDict(frozen=True)


class DecodedBasic(_Decoded):
    kind: Literal["basic"] = "basic"
    username: str | None
    password_fingerprint: str
    note: str = ""
    token: Token | None = None
    """The password, when it is a token (ACR's null-GUID username)."""


class DecodedAuthorization(_Decoded):
    kind: Literal["authorization"] = "authorization"
    scheme: str
    fingerprint: str


class DecodedChallenges(_Decoded):
    kind: Literal["challenge"] = "challenge"
    challenges: list[Challenge]


class DecodedScopes(_Decoded):
    kind: Literal["scope"] = "scope"
    scopes: list[Scope]


class DecodeFailure(_Decoded):
    kind: Literal["error"] = "error"
    message: str


Decoded = Annotated[
    Token
    | DecodedBasic
    | DecodedAuthorization
    | DecodedChallenges
    | DecodedScopes
    | TokenResponse
    | DecodeFailure,
    Field(discriminator="kind"),
]


def decode_value(value: str) -> Decoded:
    """Decode `value`; raises ParseError when it is none of the known kinds."""
    if "\x00" in value:
        raise ParseError("input contains NUL bytes")
    v = value.strip()
    if not v:
        raise ParseError("empty input")
    if v.startswith("{"):
        return parse_token_response(v)
    for prefix in ("authorization:", "www-authenticate:"):
        if v.lower().startswith(prefix):
            v = v[len(prefix) :].strip()
    if _AUTHZ.match(v):
        cred = parse_authorization(v)
        if cred.is_bearer and cred.token is not None:
            return cred.token
        if cred.is_basic:
            return DecodedBasic(
                username=cred.username,
                password_fingerprint=cred.fingerprint,
                note=cred.note,
                token=cred.token,
            )
        return DecodedAuthorization(scheme=cred.scheme, fingerprint=cred.fingerprint)
    if looks_like_jwt(v):
        return decode_token(v)
    if "=" in v and " " in v.split("=", 1)[0].strip():
        return DecodedChallenges(challenges=parse_www_authenticate(v))
    if ":" in v:
        return DecodedScopes(scopes=parse_scopes(v))
    if _OPAQUE.match(v):
        return decode_token(v)
    raise ParseError(
        "not a JWT, Authorization value, WWW-Authenticate value, scope or token-response JSON"
    )
