"""Token decoding: registry JWTs (unverified), opaque tokens, Basic, fingerprints."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acrproxy.errors import TokenDecodeError
from acrproxy.fingerprint import fingerprint, strip_signature
from acrproxy.tokens import NULL_GUID, decode_token, parse_authorization
from tests import tokens_data as T


def test_docker_hub_parameters() -> None:
    t = decode_token(T.DOCKER_HUB)
    assert t.kind == "jwt" and t.verified is False and t.label == "Docker Hub registry token"
    assert t.header["kid"] == "PYYO:TEWU:V7JH"
    (a,) = t.access
    assert (a.type, a.name, a.actions) == ("repository", "library/ubuntu", ["pull"])
    assert a.extra["parameters"]["pull_limit"] == "100"


def test_quay_context() -> None:
    t = decode_token(T.QUAY)
    assert t.claims["context"]["kind"] == "anonymous" and t.access[0].name == "org/app"


def test_gitlab_meta_and_nested_user_jwt() -> None:
    t = decode_token(T.GITLAB)
    assert t.access[0].extra["meta"]["project_id"] == 7
    assert t.nested["user"].claims["user_info"]["username"] == "bob"
    assert t.claims["user"].endswith(".")  # the nested JWT's signature is not kept
    assert T.GITLAB_USER.rsplit(".", 1)[1] not in str(t.model_dump())


@pytest.mark.parametrize(
    "token,label",
    [
        (T.ACR_REFRESH, "ACR refresh token (exchanged from an Entra ID token)"),
        (T.ACR_ACCESS, "ACR access token"),
    ],
)
def test_acr(token: str, label: str) -> None:
    t = decode_token(token)
    assert t.label == label
    assert t.claims["iss"] == "Azure Container Registry"


def test_ghcr_anonymous_token_is_opaque_not_an_error() -> None:
    t = decode_token(T.GHCR_ANON)
    assert t.kind == "opaque" and "GHCR" in t.opaque_hint and t.claims == {}


def test_fingerprint_survives_jwt_redaction_and_markers() -> None:
    assert fingerprint(strip_signature(T.DOCKER_HUB)) == fingerprint(T.DOCKER_HUB)
    fp = fingerprint("opaque-secret-value")
    assert fingerprint(f"redacted:{fp}") == fp


def test_unsigned_jwt_decodes() -> None:
    t = decode_token(strip_signature(T.ACR_ACCESS))
    assert t.signed is False and t.claims["iss"] == "Azure Container Registry"


def test_basic_keeps_username_only() -> None:
    cred = parse_authorization("Basic " + base64.b64encode(b"alice:s3cret:with:colons").decode())
    assert cred.username == "alice" and "s3cret" not in cred.model_dump_json()


def test_null_guid_is_explained() -> None:
    value = base64.b64encode(f"{NULL_GUID}:{T.ACR_REFRESH}".encode()).decode()
    cred = parse_authorization(f"Basic {value}")
    assert (
        "ACR" in cred.note and cred.token is not None and cred.token.label.startswith("ACR refresh")
    )


@pytest.mark.parametrize(
    "bad,match",
    [
        ("", "empty"),
        ("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.x", "not a decodable JWT"),
        ("eyJub3QiOiJjbG9zZWQ.e30.x", "not a decodable JWT"),
        ("has space", "white space"),
        ("x" * 300000, "longer than"),
    ],
)
def test_errors(bad: str, match: str) -> None:
    with pytest.raises(TokenDecodeError, match=match):
        decode_token(bad)


@given(st.text(max_size=400))
def test_hostile_text(value: str) -> None:
    try:
        decode_token(value)
    except TokenDecodeError:
        pass


@given(st.binary(max_size=300))
def test_hostile_jwt_segments(data: bytes) -> None:
    seg = base64.urlsafe_b64encode(data).decode().rstrip("=")
    for value in (
        f"eyJ{seg}.{seg}.{seg}",
        f"eyJhbGciOiJIUzI1NiJ9.{seg}.x",
        f"Bearer eyJ{seg}.e30.",
        f"Basic {seg}",
    ):
        try:
            if value.startswith(("Bearer", "Basic")):
                parse_authorization(value)
            else:
                decode_token(value)
        except TokenDecodeError:
            pass


@given(st.text(alphabet="AZaz09+/=-_.~ :\u00e9", max_size=40))
def test_opaque_hint_is_what_strict_base64_decoding_says(value: str) -> None:
    import binascii

    from acrproxy.tokens import _opaque_hint

    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeError):
        want = f"{len(value)} characters"
    else:
        ghcr = text.startswith("v1:") and text.count(":") >= 2
        want = (
            "GHCR-style anonymous token (base64 of v1:<repository>:<time>)"
            if ghcr
            else f"{len(value)} characters of base64"
        )
    assert _opaque_hint(value) == want


def test_a_repeated_authorization_is_decoded_once_and_the_memo_holds_no_secret() -> None:
    from acrproxy import tokens

    basic = "Basic " + base64.b64encode(b"alice:pw-memo-basic").decode()
    first = parse_authorization(f"Bearer {T.DOCKER_HUB}")
    assert parse_authorization(f"Bearer {T.DOCKER_HUB}") is first
    assert parse_authorization(basic).username == "alice"
    assert parse_authorization(basic) is parse_authorization(basic)
    with pytest.raises(TokenDecodeError):
        parse_authorization("Basic not-base64!")
    with pytest.raises(TokenDecodeError):  # a refusal is not remembered
        parse_authorization("Basic not-base64!")
    kept = repr(list(tokens._CREDENTIALS._known.items()))
    assert "pw-memo-basic" not in kept and T.DOCKER_HUB.split(".")[2] not in kept


@given(st.text(max_size=60))
def test_remembered_authorization_is_the_parse(value: str) -> None:
    from acrproxy.tokens import _parse_authorization

    for _ in range(2):  # the second time from the memo
        try:
            want = _parse_authorization(value)
        except TokenDecodeError:
            with pytest.raises(TokenDecodeError):
                parse_authorization(value)
        else:
            assert parse_authorization(value) == want


def test_the_credential_memo_is_bounded_in_entries_and_value_size() -> None:
    from acrproxy import tokens
    from acrproxy.sensitive import CACHED_VALUE_MAX

    tokens._CREDENTIALS._known.clear()
    parse_authorization("Bearer " + "y" * CACHED_VALUE_MAX)
    assert len(tokens._CREDENTIALS) == 0  # too large to remember
    for i in range(600):
        parse_authorization(f"Bearer opaque-{i}-" + "x" * 40)
    assert len(tokens._CREDENTIALS) == 256
