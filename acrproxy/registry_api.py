"""The registry HTTP API's paths: what a request is about, and the scope it needs.

`/v2/<name>/manifests/<reference>`, `/v2/<name>/blobs/<digest>`, `/v2/<name>/blobs/uploads/...`,
`/v2/<name>/tags/list`, `/v2/<name>/referrers/<digest>`, `/v2/_catalog`, the `/v2/` base; token
endpoints; and the `errors[].code` of a registry's JSON error body.
"""

from __future__ import annotations

import functools
import json
from enum import StrEnum
from typing import NamedTuple

from acrproxy.scopes import Scope
from acrproxy.sensitive import CACHED_VALUE_MAX, ERROR_BODY_MAX

TOKEN_PATH_HINTS = ("/oauth2/token", "/oauth2/exchange", "/token", "/jwt/auth", "/v2/auth")


class Kind(StrEnum):
    BASE = "base"
    CATALOG = "catalog"
    MANIFEST = "manifest"
    BLOB = "blob"
    UPLOAD = "upload"
    TAGS = "tags"
    REFERRERS = "referrers"
    OTHER = "other"
    """Not a registry API path."""


_MARKERS = (
    ("/manifests/", Kind.MANIFEST),
    ("/blobs/uploads", Kind.UPLOAD),
    ("/blobs/", Kind.BLOB),
    ("/tags/list", Kind.TAGS),
    ("/referrers/", Kind.REFERRERS),
)


class ApiPath(NamedTuple):
    """What a request path says: the kind of object, its repository and reference."""

    kind: Kind
    repository: str = ""
    reference: str = ""
    """A tag or digest (manifests), a digest (blobs, referrers), an upload id (uploads)."""

    @property
    def digest(self) -> str | None:
        return self.reference if self.reference.startswith("sha256:") else None


def parse_path(path: str) -> ApiPath:
    """Parse a request path (a query is ignored)."""
    path = path.split("?", 1)[0]
    return _parse_path(path) if len(path) <= CACHED_VALUE_MAX else _parse_path.__wrapped__(path)


@functools.lru_cache(maxsize=4096)
def _parse_path(path: str) -> ApiPath:
    if not path.startswith("/v2/") and path != "/v2":
        return ApiPath(Kind.OTHER)
    if path.rstrip("/") == "/v2":
        return ApiPath(Kind.BASE)
    if path.startswith("/v2/_catalog"):
        return ApiPath(Kind.CATALOG)
    for marker, kind in _MARKERS:
        i = path.find(marker)
        if i > 4:
            ref = path[i + len(marker) :].lstrip("/")
            return ApiPath(kind, path[4:i], ref)
    return ApiPath(Kind.OTHER)


def needed_scope(method: str, path: str) -> Scope | None:
    """The scope a registry API request needs, from its method and path; None if none."""
    api = parse_path(path)
    if api.kind is Kind.CATALOG:
        return Scope(type="registry", name="catalog", actions=("*",))
    if not api.repository:
        return None
    method = method.upper()
    if method in ("GET", "HEAD"):
        actions: tuple[str, ...] = ("pull",)
    elif method == "DELETE":
        actions = ("delete",)
    elif api.kind is Kind.UPLOAD:
        actions = ("pull", "push")
    else:
        actions = ("push",)
    return Scope(type="repository", name=api.repository, actions=actions)


def describe_target(path: str) -> str:
    """`team/app manifest v1`, `team/app blob sha256:1a2b3c4d`, ... from a /v2/ path."""
    api = parse_path(path)
    if not api.repository:
        return path.split("?", 1)[0]
    ref = api.reference[:15] if api.reference.startswith("sha256:") else api.reference
    if api.kind is Kind.UPLOAD:
        ref = ""
    return f"{api.repository} {api.kind.value} {ref}".rstrip()


def is_token_path(path: str) -> bool:
    """True when a path looks like a token endpoint (`/token`, `/oauth2/token`, ...)."""
    path = path.split("?", 1)[0].rstrip("/")
    return path.endswith(TOKEN_PATH_HINTS) and not path.startswith("/v2/")


@functools.lru_cache(maxsize=64)
def registry_error_code(body: bytes | None) -> str | None:
    """The first `errors[].code` of a registry error body, if it is one."""
    if not body or len(body) > ERROR_BODY_MAX:
        return None
    try:
        data = json.loads(body)
        code = data["errors"][0]["code"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        return None
    return code if isinstance(code, str) else None
