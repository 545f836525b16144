"""Token requests and responses: GET token endpoints, OAuth2 POSTs, ACR's /oauth2/exchange."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field

from acrproxy.errors import ParseError, ScopeParseError, TokenDecodeError
from acrproxy.exchange import authority, split_url
from acrproxy.fingerprint import SecretMemo, fingerprint
from acrproxy.redact import scrub
from acrproxy.scopes import Scope, parse_scope
from acrproxy.sensitive import CACHED_VALUE_MAX, TOKEN_BODY_MAX
from acrproxy.tokens import NULL_GUID, Token, decode_token, parse_authorization


class TokenRequest(BaseModel):
    """What a client asked a token endpoint for (secrets only as fingerprints)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["get", "oauth2", "acr_exchange"]
    endpoint: str
    """scheme://host/path of the token endpoint, without the query."""
    service: str | None = None
    scopes: list[Scope] = Field(default_factory=list)
    scope_errors: list[str] = Field(default_factory=list)
    account: str | None = None
    client_id: str | None = None
    offline_token: bool = False
    grant_type: str | None = None
    username: str | None = None
    """From Basic auth or the form's `username`; the password is never kept."""
    credential: str | None = None
    """How the client authenticated: `basic`, `password`, `refresh_token`, `access_token`."""
    credential_fingerprint: str | None = None
    tenant: str | None = None
    notes: list[str] = Field(default_factory=list)


class TokenResponse(BaseModel):
    """A token endpoint's answer, with each token decoded (unverified)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["token_response"] = "token_response"
    token: Token | None = None
    """`token` or `access_token` (the spec says they should be equivalent)."""
    refresh_token: Token | None = None
    expires_in: float | None = None
    issued_at: str | None = None
    granted_scope: list[Scope] = Field(default_factory=list)
    """OAuth2's `scope` field (the granted scopes), when present."""
    both_differ: bool = False
    """True when `token` and `access_token` are both present and differ."""

    def expiry(self, exchanged_at: float) -> float:
        """When the token expires (epoch seconds): exp, else issued_at/exchange + expires_in."""
        if self.token is not None:
            exp = self.token.claim_time("exp")
            if exp is not None:
                return exp
        start = exchanged_at
        if self.issued_at:
            try:
                start = datetime.fromisoformat(self.issued_at.replace("Z", "+00:00")).timestamp()
            except ValueError:
                pass
        return start + max(self.expires_in or 60.0, 60.0)


def _scopes(values: list[str]) -> tuple[list[Scope], list[str]]:
    scopes, errors = [], []
    for value in values:
        for part in value.split():
            try:
                scopes.append(parse_scope(part))
            except ScopeParseError:
                errors.append(part)
    return scopes, errors


def parse_token_request(
    method: str, url: str, headers: dict[str, str], body: bytes | None
) -> TokenRequest:
    """Parse a request to a token endpoint. `headers` keys are lower-case.

    Remembered for small requests: a client asks the same endpoint for the same scopes again
    and again (every pull of a repository). The memo is keyed by a sha256 of the request, so it
    holds no credential; `TokenRequest` is frozen.
    """
    auth = headers.get("authorization") or ""
    if len(url) + len(auth) + len(body or b"") > CACHED_VALUE_MAX:
        return _parse_token_request(method, url, headers, body)
    return _MEMO.get(
        (method, url, auth, body or b""),
        lambda: _parse_token_request(method, url, headers, body),
    )


_MEMO: SecretMemo[TokenRequest] = SecretMemo()


def _parse_token_request(
    method: str, url: str, headers: dict[str, str], body: bytes | None
) -> TokenRequest:
    parts = split_url(url)
    endpoint = f"{parts.scheme}://{authority(url)}{parts.path}"
    notes: list[str] = []
    if method.upper() == "POST":
        if body is not None and len(body) > TOKEN_BODY_MAX:
            raise ParseError("token request body larger than 1 MiB")
        try:
            form = parse_qs(
                (body or b"").decode("utf-8"), keep_blank_values=True, strict_parsing=False
            )
        except UnicodeError as e:
            raise ParseError(f"token request form is not UTF-8: {e}") from e
        query = parse_qs(parts.query, keep_blank_values=True)
        form = {**query, **form}
    else:
        form = parse_qs(parts.query, keep_blank_values=True)

    def one(name: str) -> str | None:
        values = form.get(name)
        return values[0] if values else None

    scopes, errors = _scopes(form.get("scope", []))
    grant = one("grant_type")
    is_exchange = parts.path.rstrip("/").endswith("/oauth2/exchange")
    kind: Literal["get", "oauth2", "acr_exchange"] = (
        "acr_exchange" if is_exchange else "oauth2" if method.upper() == "POST" else "get"
    )
    username = one("username")
    credential = cred_fp = None
    for field in ("password", "refresh_token", "access_token"):
        if one(field):
            credential, cred_fp = field, fingerprint(one(field) or "")
            break
    auth = headers.get("authorization")
    if auth:
        try:
            cred = parse_authorization(auth)
        except TokenDecodeError as e:
            notes.append(f"Authorization header unreadable: {e}")
        else:
            if cred.is_basic:
                username = cred.username
                credential, cred_fp = "basic", cred.fingerprint
            elif credential is None:
                credential, cred_fp = cred.scheme.lower(), cred.fingerprint
    if username == NULL_GUID:
        notes.append(
            "username 00000000-0000-0000-0000-000000000000: the password is an ACR token "
            "(from az acr login), not a user's password"
        )
    if is_exchange:
        notes.append(
            "ACR /oauth2/exchange: trades an Entra ID (AAD) access token for an ACR refresh token"
        )
    if kind == "get" and not scopes:
        notes.append("no scope asked: the client wants a token for login only")
    return TokenRequest(
        kind=kind,
        endpoint=endpoint,
        service=one("service"),
        scopes=scopes,
        scope_errors=[scrub(e) for e in errors],
        account=one("account"),
        client_id=one("client_id"),
        offline_token=(one("offline_token") or "").lower() == "true"
        or one("access_type") == "offline",
        grant_type=grant,
        username=username,
        credential=credential,
        credential_fingerprint=cred_fp,
        tenant=one("tenant"),
        notes=notes,
    )


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_token_response(body: bytes | str) -> TokenResponse:
    """Parse a token endpoint's JSON answer."""
    if len(body) > TOKEN_BODY_MAX:
        raise ParseError("token response larger than 1 MiB")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeError, RecursionError) as e:
        raise ParseError(f"token response is not JSON: {e}") from e
    if not isinstance(data, dict):
        raise ParseError("token response is not a JSON object")
    primary = data.get("token") or data.get("access_token")
    refresh = data.get("refresh_token")
    if not isinstance(primary, str | None) or not isinstance(refresh, str | None):
        raise ParseError("token response fields are not strings")
    if primary is None and refresh is None:
        raise ParseError("token response has no token, access_token or refresh_token")
    granted, _ = _scopes([data["scope"]]) if isinstance(data.get("scope"), str) else ([], [])
    both = isinstance(data.get("token"), str) and isinstance(data.get("access_token"), str)
    return TokenResponse(
        token=decode_token(primary) if primary else None,
        refresh_token=decode_token(refresh) if refresh else None,
        expires_in=_num(data.get("expires_in")),
        issued_at=data.get("issued_at") if isinstance(data.get("issued_at"), str) else None,
        granted_scope=granted,
        both_differ=both and data["token"] != data["access_token"],
    )
