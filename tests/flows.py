"""Flow factories over mitmproxy's test helpers (their API is not stable: keep them here)."""

from __future__ import annotations

import base64
import json

from mitmproxy import http
from mitmproxy.flow import Error
from mitmproxy.test import tflow, tutils

from acrproxy.exchange import Exchange
from acrproxy.mitmflow import from_flow

T0 = 946681200.0


def flow(
    url: str,
    method: str = "GET",
    status: int | None = 200,
    req_headers: dict | None = None,
    resp_headers: dict | None = None,
    body: bytes | str = b"",
    req_body: bytes = b"",
    at: float = T0,
    client: str = "10.0.0.5",
    error: str | None = None,
) -> http.HTTPFlow:
    req = http.Request.make(method, url, req_body, req_headers or {})
    req.timestamp_start, req.timestamp_end = at, at + 0.01
    resp = None
    if status is not None:
        resp = http.Response.make(status, body, resp_headers or {})
        for k, v in (resp_headers or {}).items():  # make() rewrites content-length
            resp.headers[k] = v
        resp.timestamp_start, resp.timestamp_end = at + 0.02, at + 0.03
    f = tflow.tflow(req=req, resp=resp or False, err=False)
    if error:
        f.error = Error(error)
        f.error.timestamp = at + 1
    f.client_conn.peername = (client, 40000)
    return f


def ex(*args, **kw) -> Exchange:
    return from_flow(flow(*args, **kw))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(user: str, pw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


def challenge(
    realm: str = "https://auth.example.test/token",
    service: str = "reg.example.test",
    scope: str = "repository:team/app:pull",
    extra: str = "",
) -> dict[str, str]:
    return {
        "WWW-Authenticate": f'Bearer realm="{realm}",service="{service}",scope="{scope}"{extra}'
    }


def token_body(token: str, expires_in: int = 300) -> bytes:
    return json.dumps({"token": token, "access_token": token, "expires_in": expires_in}).encode()


__all__ = ["tutils"]
