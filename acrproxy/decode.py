"""`acrproxy decode`: recognise a value (JWT, Authorization, WWW-Authenticate, scope, token
response) and decode it without verifying anything."""

from __future__ import annotations

import json
import re
from typing import Any

from acrproxy.challenge import Challenge, parse_www_authenticate
from acrproxy.errors import ParseError
from acrproxy.scopes import Scope, parse_scopes
from acrproxy.tokenreq import parse_token_response
from acrproxy.tokens import Token, decode_token, looks_like_jwt, parse_authorization

_AUTHZ = re.compile(r"^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*\s+[A-Za-z0-9._~+/-]+=*$")
_OPAQUE = re.compile(r"^[A-Za-z0-9._~+/-]{16,}=*$")


def scope_json(s: Scope) -> dict[str, Any]:
    out: dict[str, Any] = {"type": s.type, "name": s.name, "actions": list(s.actions)}
    if s.resource_class:
        out["class"] = s.resource_class
    return out


def token_json(t: Token) -> dict[str, Any]:
    if t.kind == "opaque":
        return {"kind": "opaque", "verified": False, "fingerprint": t.fingerprint, "hint": t.opaque_hint}
    return {
        "kind": "jwt",
        "verified": False,
        "label": t.label,
        "fingerprint": t.fingerprint,
        "header": t.header,
        "claims": t.claims,
        "access": [{"type": a.type, "name": a.name, "actions": a.actions, **a.extra} for a in t.access],
        "nested": {k: token_json(v) for k, v in t.nested.items()},
    }


def challenge_json(c: Challenge) -> dict[str, Any]:
    out: dict[str, Any] = {"scheme": c.scheme, "params": c.params, "scopes": [scope_json(s) for s in c.scopes]}
    if c.scope_errors:
        out["unparsed_scopes"] = c.scope_errors
    if c.token68 is not None:
        out["token68"] = True
    return out


def decode_value(value: str) -> dict[str, Any]:
    """Decode `value` into a JSON-able dict with a `kind`; raises ParseError when unrecognised."""
    if "\x00" in value:
        raise ParseError("input contains NUL bytes")
    v = value.strip()
    if not v:
        raise ParseError("empty input")
    if v.startswith("{"):
        resp = parse_token_response(v)
        out: dict[str, Any] = {"kind": "token_response", "expires_in": resp.expires_in,
                               "issued_at": resp.issued_at}
        if resp.token:
            out["token"] = token_json(resp.token)
        if resp.refresh_token:
            out["refresh_token"] = token_json(resp.refresh_token)
        if resp.granted_scope:
            out["granted_scope"] = [scope_json(s) for s in resp.granted_scope]
        return out
    for prefix in ("authorization:", "www-authenticate:"):
        if v.lower().startswith(prefix):
            v = v[len(prefix):].strip()
    if _AUTHZ.match(v):
        cred = parse_authorization(v)
        if cred.is_bearer and cred.token is not None:
            return token_json(cred.token)
        if cred.is_basic:
            out = {"kind": "basic", "username": cred.username, "password_fingerprint": cred.fingerprint}
            if cred.note:
                out["note"] = cred.note
            if cred.token is not None:
                out["token"] = token_json(cred.token)
            return out
        return {"kind": "authorization", "scheme": cred.scheme, "fingerprint": cred.fingerprint}
    if looks_like_jwt(v):
        return token_json(decode_token(v))
    if "=" in v and " " in v.split("=", 1)[0].strip():
        return {"kind": "challenge", "challenges": [challenge_json(c) for c in parse_www_authenticate(v)]}
    if ":" in v:
        return {"kind": "scope", "scopes": [scope_json(s) for s in parse_scopes(v)]}
    if _OPAQUE.match(v):
        return token_json(decode_token(v))
    raise ParseError(
        "not a JWT, Authorization value, WWW-Authenticate value, scope or token-response JSON"
    )


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, default=str)
