"""The registry API's paths: kind, repository, reference, the scope a request needs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acrproxy.registry_api import (
    ApiPath,
    Kind,
    describe_target,
    is_token_path,
    needed_scope,
    parse_path,
    registry_error_code,
)

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "path,expected",
    [
        ("/v2/", ApiPath(Kind.BASE)),
        ("/v2", ApiPath(Kind.BASE)),
        ("/v2/_catalog?n=10", ApiPath(Kind.CATALOG)),
        ("/v2/team/app/manifests/v1", ApiPath(Kind.MANIFEST, "team/app", "v1")),
        (f"/v2/a/b/c/blobs/{DIGEST}", ApiPath(Kind.BLOB, "a/b/c", DIGEST)),
        ("/v2/team/app/blobs/uploads/", ApiPath(Kind.UPLOAD, "team/app", "")),
        ("/v2/team/app/blobs/uploads/u-1?digest=x", ApiPath(Kind.UPLOAD, "team/app", "u-1")),
        ("/v2/team/app/tags/list?n=5", ApiPath(Kind.TAGS, "team/app", "")),
        (f"/v2/team/app/referrers/{DIGEST}", ApiPath(Kind.REFERRERS, "team/app", DIGEST)),
        ("/token", ApiPath(Kind.OTHER)),
        ("/v2/only-a-name", ApiPath(Kind.OTHER)),
    ],
)
def test_parse_path(path: str, expected: ApiPath) -> None:
    assert parse_path(path) == expected


def test_digest_only_for_digest_references() -> None:
    assert parse_path(f"/v2/a/manifests/{DIGEST}").digest == DIGEST
    assert parse_path("/v2/a/manifests/latest").digest is None


@pytest.mark.parametrize(
    "method,path,expected",
    [
        ("GET", "/v2/team/app/manifests/v1", "repository:team/app:pull"),
        ("HEAD", "/v2/team/app/blobs/sha256:ab", "repository:team/app:pull"),
        ("PUT", "/v2/team/app/manifests/v1", "repository:team/app:push"),
        ("POST", "/v2/team/app/blobs/uploads/", "repository:team/app:pull,push"),
        ("DELETE", "/v2/team/app/manifests/sha256:ab", "repository:team/app:delete"),
        ("GET", "/v2/_catalog?n=10", "registry:catalog:*"),
        ("GET", "/v2/", None),
        ("GET", "/token", None),
    ],
)
def test_needed_scope(method, path, expected) -> None:
    s = needed_scope(method, path)
    assert (str(s) if s else None) == expected


@pytest.mark.parametrize(
    "path,text",
    [
        ("/v2/team/app/manifests/v1", "team/app manifest v1"),
        (f"/v2/team/app/blobs/{DIGEST}", "team/app blob sha256:abababab"),
        ("/v2/team/app/blobs/uploads/u-1", "team/app upload"),
        ("/token?scope=x", "/token"),
    ],
)
def test_describe_target(path: str, text: str) -> None:
    assert describe_target(path) == text


@pytest.mark.parametrize(
    "path,yes",
    [
        ("/token", True),
        ("/oauth2/token", True),
        ("/oauth2/exchange", True),
        ("/jwt/auth?x=1", True),
        ("/service/token/", True),
        ("/v2/team/app/manifests/token", False),
        ("/v2/", False),
    ],
)
def test_is_token_path(path: str, yes: bool) -> None:
    assert is_token_path(path) is yes


@pytest.mark.parametrize(
    "body,code",
    [
        (b'{"errors":[{"code":"DENIED","message":"x"}]}', "DENIED"),
        (b'{"errors":[]}', None),
        (b'{"errors":[{"code":5}]}', None),
        (b"<html>", None),
        (None, None),
        (b"[" * 100000, None),
    ],
)
def test_registry_error_code(body: bytes | None, code: str | None) -> None:
    assert registry_error_code(body) == code


@given(st.text(max_size=300), st.sampled_from(["GET", "PUT", "DELETE", "PATCH"]))
def test_hostile_paths_never_raise(path: str, method: str) -> None:
    parse_path(path)
    describe_target(path)
    needed_scope(method, path)
    is_token_path(path)
