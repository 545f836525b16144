"""Five captures every output format is tested on, made of fixed tokens and times (stable goldens):
an anonymous pull, an authenticated pull with a storage redirect, a denied push, ACR's token
exchange, and the FAQ's credential leak on a redirect."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable

import jwt
from mitmproxy import http

from acrproxy.analysis import Session
from acrproxy.mitmflow import from_flow
from acrproxy.note import StreamRecord, read_note, write_note
from acrproxy.report import Report
from tests.flows import T0, flow

REG = "https://registry.example.test"
AUTH = "https://auth.example.test/token"
STORAGE = "https://blob.storage.example.test"
LAYER = b"layer-bytes" * 100
LAYER_DIGEST = "sha256:" + hashlib.sha256(LAYER).hexdigest()
INDEX = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"digest": "sha256:" + "1" * 64, "platform": {"os": "linux", "architecture": "amd64"}},
            {"digest": "sha256:" + "2" * 64, "platform": {"os": "linux", "architecture": "arm64"}},
        ],
    }
).encode()
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"digest": "sha256:" + "c" * 64, "size": 2},
        "layers": [{"digest": LAYER_DIGEST, "size": len(LAYER)}],
    }
).encode()


def token(sub: str, actions: list[str], repo: str = "team/app", **extra: object) -> str:
    claims = {
        "iss": "test-token-server",
        "sub": sub,
        "aud": "registry.example.test",
        "iat": int(T0),
        "nbf": int(T0) - 10,
        "exp": int(T0) + 300,
        "access": [{"type": "repository", "name": repo, "actions": actions}],
        **extra,
    }
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


def challenge(scope: str) -> dict[str, str]:
    return {
        "WWW-Authenticate": f'Bearer realm="{AUTH}",service="registry.example.test",'
        f'scope="{scope}"',
        "Content-Type": "application/json",
    }


def token_body(t: str) -> bytes:
    return json.dumps({"token": t, "access_token": t, "expires_in": 300}).encode()


def anonymous_pull() -> list[http.HTTPFlow]:
    t = token("", ["pull"], "library/alpine")
    m = "application/vnd.oci.image.manifest.v1+json"
    return [
        flow(
            f"{REG}/v2/",
            status=401,
            resp_headers=challenge("repository:library/alpine:pull"),
            at=T0,
            body=b'{"errors":[{"code":"UNAUTHORIZED"}]}',
        ),
        flow(
            f"{AUTH}?scope=repository:library/alpine:pull&service=registry.example.test",
            body=token_body(t),
            at=T0 + 1,
        ),
        flow(
            f"{REG}/v2/library/alpine/manifests/3.20",
            req_headers=bearer(t),
            body=INDEX,
            resp_headers={"Content-Type": "application/vnd.oci.image.index.v1+json"},
            at=T0 + 2,
        ),
        flow(
            f"{REG}/v2/library/alpine/manifests/sha256:{'1' * 64}",
            req_headers=bearer(t),
            body=MANIFEST,
            resp_headers={"Content-Type": m},
            at=T0 + 3,
        ),
        flow(
            f"{REG}/v2/library/alpine/blobs/{LAYER_DIGEST}",
            req_headers=bearer(t),
            body=LAYER,
            resp_headers={"Content-Type": "application/octet-stream"},
            at=T0 + 4,
        ),
    ]


def _streamed(f: http.HTTPFlow, data: bytes) -> http.HTTPFlow:
    assert f.response is not None
    f.response.raw_content = None
    note = read_note(f.metadata)
    note.stream = StreamRecord(
        response_size=len(data), response_sha256="sha256:" + hashlib.sha256(data).hexdigest()
    )
    write_note(f.metadata, note)
    return f


def authenticated_pull() -> list[http.HTTPFlow]:
    t = token("bob", ["pull"])
    storage = (
        f"{STORAGE}/docker/registry/v2/blobs/sha256/{LAYER_DIGEST[7:9]}/{LAYER_DIGEST[7:]}/data"
    )
    return [
        flow(f"{REG}/v2/", status=401, resp_headers=challenge("repository:team/app:pull"), at=T0),
        flow(
            f"{AUTH}?account=bob&scope=repository:team/app:pull&service=registry.example.test",
            req_headers=basic("bob", "bob-password"),
            body=token_body(t),
            at=T0 + 1,
        ),
        flow(
            f"{REG}/v2/team/app/manifests/v1",
            req_headers=bearer(t),
            body=MANIFEST,
            resp_headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
            at=T0 + 2,
        ),
        flow(
            f"{REG}/v2/team/app/blobs/{LAYER_DIGEST}",
            req_headers=bearer(t),
            status=307,
            resp_headers={"Location": f"{storage}?se=2030-01-01&sig=s1gnature"},
            at=T0 + 3,
        ),
        _streamed(
            flow(
                f"{storage}?se=2030-01-01&sig=s1gnature",
                body=b"",
                at=T0 + 4,
                resp_headers={
                    "Content-Type": "application/octet-stream",
                    "Docker-Content-Digest": LAYER_DIGEST,
                },
            ),
            LAYER,
        ),
    ]


def denied_push() -> list[http.HTTPFlow]:
    t = token("bob", ["pull"])
    insufficient = {
        "WWW-Authenticate": f'Bearer realm="{AUTH}",service="registry.example.test",'
        'scope="repository:team/app:pull,push",error="insufficient_scope"'
    }
    return [
        flow(
            f"{REG}/v2/team/app/blobs/uploads/",
            method="POST",
            status=401,
            resp_headers=challenge("repository:team/app:pull,push"),
            at=T0,
        ),
        flow(
            f"{AUTH}?account=bob&scope=repository:team/app:pull,push&service=registry.example.test",
            req_headers=basic("bob", "bob-password"),
            body=token_body(t),
            at=T0 + 1,
        ),
        flow(
            f"{REG}/v2/team/app/blobs/uploads/",
            method="POST",
            status=401,
            req_headers=bearer(t),
            resp_headers=insufficient,
            at=T0 + 2,
            body=b'{"errors":[{"code":"DENIED","message":"requested access to the resource is '
            b'denied"}]}',
        ),
    ]


def acr_exchange() -> list[http.HTTPFlow]:
    acr = "https://contoso.azurecr.io"
    aad = jwt.encode(
        {
            "iss": "https://sts.windows.net/t-1/",
            "aud": "https://management.azure.com",
            "tid": "t-1",
            "exp": int(T0) + 3600,
        },
        "a" * 32,
        algorithm="HS256",
    )
    refresh = jwt.encode(
        {
            "iss": "Azure Container Registry",
            "aud": "contoso.azurecr.io",
            "grant_type": "refresh_token",
            "tenant": "t-1",
            "exp": int(T0) + 10800,
            "iat": int(T0),
        },
        "r" * 32,
        algorithm="HS256",
    )
    access = jwt.encode(
        {
            "iss": "Azure Container Registry",
            "aud": "contoso.azurecr.io",
            "grant_type": "refresh_token",
            "iat": int(T0),
            "exp": int(T0) + 10800,
            "access": [{"type": "repository", "name": "team/app", "actions": ["pull"]}],
        },
        "s" * 32,
        algorithm="HS256",
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    acr_challenge = {
        "WWW-Authenticate": f'Bearer realm="{acr}/oauth2/token",'
        'service="contoso.azurecr.io",scope="repository:team/app:pull"'
    }
    return [
        flow(
            f"{acr}/oauth2/exchange",
            method="POST",
            req_headers=form,
            at=T0,
            req_body=f"grant_type=access_token&service=contoso.azurecr.io&tenant=t-1"
            f"&access_token={aad}".encode(),
            body=json.dumps({"refresh_token": refresh}).encode(),
        ),
        flow(f"{acr}/v2/team/app/manifests/v1", status=401, resp_headers=acr_challenge, at=T0 + 1),
        flow(
            f"{acr}/oauth2/token",
            method="POST",
            req_headers=form,
            at=T0 + 2,
            req_body=f"grant_type=refresh_token&service=contoso.azurecr.io"
            f"&scope=repository:team/app:pull&refresh_token={refresh}".encode(),
            body=json.dumps({"access_token": access}).encode(),
        ),
        flow(
            f"{acr}/v2/team/app/manifests/v1",
            req_headers=bearer(access),
            body=MANIFEST,
            resp_headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
            at=T0 + 3,
        ),
    ]


def redirect_leak() -> list[http.HTTPFlow]:
    t = token("bob", ["pull"])
    storage = "https://acct.blob.core.windows.net/c/data?se=2030-01-01&sp=r&sig=s1gnature"
    return [
        flow(
            f"{REG}/v2/team/app/blobs/{LAYER_DIGEST}",
            req_headers=bearer(t),
            status=307,
            resp_headers={"Location": storage},
            at=T0,
        ),
        flow(
            storage,
            req_headers=bearer(t),
            status=400,
            at=T0 + 1,
            resp_headers={"Content-Type": "application/xml"},
            body=b'<?xml version="1.0"?><Error><Code>InvalidAuthenticationInfo</Code>'
            b"<Message>Authentication information is not given in the correct format."
            b"</Message></Error>",
        ),
    ]


SCENARIOS: dict[str, Callable[[], list[http.HTTPFlow]]] = {
    "anonymous-pull": anonymous_pull,
    "authenticated-pull": authenticated_pull,
    "denied-push": denied_push,
    "acr-exchange": acr_exchange,
    "redirect-leak": redirect_leak,
}


def flows_of(name: str) -> list[http.HTTPFlow]:
    """The scenario's flows, with ids that are the same every time (for golden files)."""
    flows = SCENARIOS[name]()
    for n, f in enumerate(flows):
        f.id = str(uuid.UUID(int=n + 1))
    return flows


def report_of(name: str) -> Report:
    s = Session()
    for f in flows_of(name):
        s.feed(from_flow(f))
    return s.report()
