"""What is sensitive, in one place: names are lower-case, the sets agree with each other."""

from __future__ import annotations

from acrproxy import sensitive as S


def test_names_are_lower_case() -> None:
    for names in (
        S.CREDENTIAL_HEADERS,
        S.COOKIE_HEADERS,
        S.SIGNED_URL_SECRET_PARAMS,
        S.SECRET_FIELDS,
        frozenset(S.LEAKY_HEADERS),
    ):
        assert all(n == n.lower() for n in names)


def test_every_url_signature_is_a_secret_and_credentials_may_leak() -> None:
    assert S.URL_SIGNATURE_PARAMS <= S.SIGNED_URL_SECRET_PARAMS
    assert S.CREDENTIAL_HEADERS <= set(S.LEAKY_HEADERS)


def test_limits_are_ordered() -> None:
    assert S.BLOB_STREAM_MIN < S.STREAM_THRESHOLD
    assert S.ERROR_BODY_MAX <= S.TOKEN_BODY_MAX
