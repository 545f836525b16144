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


def test_credential_like_names_cover_the_short_spellings() -> None:
    for name in ("pass", "Pwd", "user_pass", "passphrase", "JWT", "bearer", "id_token", "apiKey"):
        assert S.credential_like(name), name
    for name in ("user", "username", "scope", "service", "expires_in", "repository"):
        assert not S.credential_like(name), name


def test_json_values_under_short_secret_names_are_fingerprinted() -> None:
    from acrproxy.redact import Redactor

    out = Redactor().json_text('{"pass": "SEED1", "pwd": "SEED2", "jwt": "SEED3", "user": "bob"}')
    assert out is not None and "SEED" not in out and '"user": "bob"' in out
