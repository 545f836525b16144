"""Tokens and credentials: JWTs decoded without verification, opaque tokens, Basic, fingerprints.

Every decoded view is *unverified*: acrproxy never checks a signature, so the header and claims
show what the token says, not what is true. Raw secrets are never kept in these models: a
`fingerprint` stands for them, and it survives redaction (see `acrproxy.redact`).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Literal

import jwt
from pydantic import BaseModel, ConfigDict, Field

from acrproxy.errors import TokenDecodeError
from acrproxy.fingerprint import SecretMemo, fingerprint, looks_like_jwt, strip_signature
from acrproxy.redact import Redactor
from acrproxy.sensitive import CACHED_VALUE_MAX, TOKEN_MAX

NULL_GUID = "00000000-0000-0000-0000-000000000000"


class AccessEntry(BaseModel):
    """One entry of a registry token's `access` claim."""

    model_config = ConfigDict(frozen=True)

    type: str
    name: str
    actions: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    """Registry additions: Docker Hub `parameters`, Quay `context`, GitLab `meta`, ..."""


class Token(BaseModel):
    """A decoded (unverified) token: a JWT, or an opaque value shown only by fingerprint."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["jwt", "opaque"]
    fingerprint: str
    verified: Literal[False] = False
    header: dict[str, Any] = Field(default_factory=dict)
    claims: dict[str, Any] = Field(default_factory=dict)
    access: list[AccessEntry] = Field(default_factory=list)
    nested: dict[str, Token] = Field(default_factory=dict)
    """JWTs found inside claims (GitLab's `user`)."""
    label: str = ""
    """What the token is, in words: "ACR refresh token", "Docker Hub access token", ..."""
    opaque_hint: str = ""
    """For opaque tokens, what its shape suggests (never its value)."""
    signed: bool = True
    """False when the signature segment is missing (e.g. a redacted JWT)."""

    def claim_time(self, name: str) -> float | None:
        value = self.claims.get(name)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )


_NOT_VISIBLE_ASCII = re.compile(r"[^\x21-\x7e]")


def decode_token(value: str) -> Token:
    """Decode a token without verifying it. JWTs show header and claims; others are opaque."""
    value = value.strip()
    if not value:
        raise TokenDecodeError("empty token")
    if len(value) > TOKEN_MAX:
        raise TokenDecodeError(f"token longer than {TOKEN_MAX} characters")
    if not looks_like_jwt(value):
        if _NOT_VISIBLE_ASCII.search(value):
            raise TokenDecodeError("not a token (it contains white space or non-ASCII characters)")
        return Token(kind="opaque", fingerprint=fingerprint(value), opaque_hint=_opaque_hint(value))
    try:
        header = jwt.get_unverified_header(value if value.count(".") == 2 else value + ".")
        signed = bool(value.rsplit(".", 1)[1])
        claims = jwt.decode(
            value if signed else value + "AA",
            options={"verify_signature": False},
            algorithms=None,
        )
    except (jwt.PyJWTError, ValueError, TypeError, UnicodeError, binascii.Error) as e:
        raise TokenDecodeError(f"not a decodable JWT: {e}") from e
    if not isinstance(claims, dict) or not isinstance(header, dict):
        raise TokenDecodeError("not a decodable JWT: header or claims are not JSON objects")
    nested: dict[str, Token] = {}
    for key, claim in claims.items():
        if isinstance(claim, str) and looks_like_jwt(claim):
            try:
                nested[key] = decode_token(claim)
            except TokenDecodeError:
                continue
            claims[key] = strip_signature(claim)
    redactor = Redactor()  # claims are shown and exported: no signature or secret survives
    claims, header = redactor.json(claims), redactor.json(header)
    return Token(
        kind="jwt",
        fingerprint=fingerprint(value),
        header=header,
        claims=claims,
        access=parse_access(claims.get("access")),
        nested=nested,
        label=_label(claims),
        signed=signed,
    )


def parse_access(raw: Any) -> list[AccessEntry]:
    """The `access` claim as entries; malformed entries are skipped, never fatal."""
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        actions = item.get("actions")
        out.append(
            AccessEntry(
                type=str(item.get("type", "")),
                name=str(item.get("name", "")),
                actions=[str(a) for a in actions] if isinstance(actions, list) else [],
                extra={k: v for k, v in item.items() if k not in ("type", "name", "actions")},
            )
        )
    return out


def _label(claims: dict[str, Any]) -> str:
    iss = str(claims.get("iss", ""))
    if iss == "Azure Container Registry":
        grant = claims.get("grant_type")
        if grant == "refresh_token" and "access" not in claims:  # access tokens say it too
            return "ACR refresh token (exchanged from an Entra ID token)"
        return "ACR access token"
    if iss == "auth.docker.io":
        return "Docker Hub registry token"
    if iss == "harbor-token-issuer":
        return "Harbor registry token"
    if "access" in claims:
        return "registry bearer token"
    return "JWT"


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def _opaque_hint(value: str) -> str:
    if _NOT_BASE64.search(value):  # what b64decode(validate=True) would refuse
        return f"{len(value)} characters"
    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeError):
        return f"{len(value)} characters"
    if text.startswith("v1:") and text.count(":") >= 2:
        return "GHCR-style anonymous token (base64 of v1:<repository>:<time>)"
    return f"{len(value)} characters of base64"


class Credential(BaseModel):
    """What an `Authorization` header carries, without its secret."""

    model_config = ConfigDict(frozen=True)

    scheme: str
    fingerprint: str = ""
    username: str | None = None
    """For Basic: the username (the password is never kept)."""
    token: Token | None = None
    """For Bearer: the decoded token."""
    note: str = ""

    @property
    def is_bearer(self) -> bool:
        return self.scheme.lower() == "bearer"

    @property
    def is_basic(self) -> bool:
        return self.scheme.lower() == "basic"


def parse_basic(value: str) -> tuple[str, str]:
    """Decode a Basic credential's base64 into (username, password)."""
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError) as e:
        raise TokenDecodeError(f"Basic credential is not base64 of user:password: {e}") from e
    if ":" not in text:
        raise TokenDecodeError("Basic credential has no ':' between user and password")
    user, password = text.split(":", 1)
    return user, password


def parse_authorization(value: str) -> Credential:
    """Parse an Authorization (or Proxy-Authorization) value.

    Remembered (by a sha256: the memo holds no credential) for values up to 4 KiB, the 256
    newest: a client sends the same token with every request, and a JWT is worth decoding once.
    Bounded so that many distinct large tokens cannot make the proxy hold on to their claims."""
    if len(value) > CACHED_VALUE_MAX:
        return _parse_authorization(value)
    return _CREDENTIALS.get((value,), lambda: _parse_authorization(value))


_CREDENTIALS: SecretMemo[Credential] = SecretMemo(256)


def _parse_authorization(value: str) -> Credential:
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    rest = rest.strip()
    if not scheme or not rest:
        raise TokenDecodeError("Authorization value is not '<scheme> <credentials>'")
    if scheme.lower() == "basic":
        user, password = parse_basic(rest)
        note = ""
        if user == NULL_GUID:
            note = (
                "the null-GUID username tells ACR that the password is an ACR refresh or access "
                "token (az acr login), not a user's password"
            )
        elif user == "AWS":
            note = "ECR: the password is a GetAuthorizationToken value, valid 12 hours"
        tok = None
        if user == NULL_GUID and looks_like_jwt(password):
            try:
                tok = decode_token(password)
            except TokenDecodeError:
                tok = None
        return Credential(
            scheme="Basic", username=user, fingerprint=fingerprint(password), note=note, token=tok
        )
    if scheme.lower() == "bearer":
        tok = decode_token(rest)
        return Credential(scheme="Bearer", fingerprint=tok.fingerprint, token=tok)
    return Credential(scheme=scheme, fingerprint=fingerprint(rest))
