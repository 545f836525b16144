"""WWW-Authenticate parsing with real-world values from many registries."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acrproxy.challenge import parse_www_authenticate
from acrproxy.errors import ChallengeParseError

CASES = [
    pytest.param(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:samalba/my-app:pull,push"',
        [
            (
                "Bearer",
                {
                    "realm": "https://auth.docker.io/token",
                    "service": "registry.docker.io",
                    "scope": "repository:samalba/my-app:pull,push",
                },
            )
        ],
        id="docker-hub",
    ),
    pytest.param(
        'Bearer realm="https://contosoregistry.azurecr.io/oauth2/token",'
        'service="contosoregistry.azurecr.io",scope="registry:catalog:*"',
        [
            (
                "Bearer",
                {
                    "realm": "https://contosoregistry.azurecr.io/oauth2/token",
                    "service": "contosoregistry.azurecr.io",
                    "scope": "registry:catalog:*",
                },
            )
        ],
        id="acr",
    ),
    pytest.param(
        "Bearer realm=https://gcr.io/v2/token,service=gcr.io",
        [("Bearer", {"realm": "https://gcr.io/v2/token", "service": "gcr.io"})],
        id="gcr-unquoted",
    ),
    pytest.param(
        'Bearer realm="https://us-docker.pkg.dev/v2/token"',
        [("Bearer", {"realm": "https://us-docker.pkg.dev/v2/token"})],
        id="gar-no-service",
    ),
    pytest.param(
        'Basic realm="https://123.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
        [
            (
                "Basic",
                {
                    "realm": "https://123.dkr.ecr.us-east-1.amazonaws.com/",
                    "service": "ecr.amazonaws.com",
                },
            )
        ],
        id="ecr-basic",
    ),
    pytest.param(
        'Bearer realm="https://codeberg.org/v2/token",service="container_registry",scope="*",'
        'Basic realm="https://codeberg.org/v2",service="container_registry",scope="*"',
        [
            (
                "Bearer",
                {
                    "realm": "https://codeberg.org/v2/token",
                    "service": "container_registry",
                    "scope": "*",
                },
            ),
            (
                "Basic",
                {"realm": "https://codeberg.org/v2", "service": "container_registry", "scope": "*"},
            ),
        ],
        id="codeberg-two-challenges",
    ),
    pytest.param(
        'Basic realm="Artifactory Realm"',
        [("Basic", {"realm": "Artifactory Realm"})],
        id="artifactory",
    ),
    pytest.param(
        'Bearer realm="https://r/token",service="r",scope="repository:a:pull",'
        'error="insufficient_scope"',
        [
            (
                "Bearer",
                {
                    "realm": "https://r/token",
                    "service": "r",
                    "scope": "repository:a:pull",
                    "error": "insufficient_scope",
                },
            )
        ],
        id="insufficient-scope",
    ),
    pytest.param('Bearer realm="a\\"b\\\\c"', [("Bearer", {"realm": 'a"b\\c'})], id="escapes"),
    pytest.param(
        'bearer  REALM = "x" , Service="y"',
        [("bearer", {"realm": "x", "service": "y"})],
        id="case-and-spaces",
    ),
]


@pytest.mark.parametrize("header,expected", CASES)
def test_parse(header: str, expected: list) -> None:
    got = parse_www_authenticate(header)
    assert [(c.scheme, c.params) for c in got] == expected


def test_scopes_space_joined_and_repeated() -> None:
    (c,) = parse_www_authenticate(
        'Bearer realm="r",scope="repository:a:pull repository:localhost:5000/b:push",'
        'scope="registry:catalog:*"'
    )
    assert [str(s) for s in c.scopes] == [
        "repository:a:pull",
        "repository:localhost:5000/b:push",
        "registry:catalog:*",
    ]
    assert (
        c.params["scope"] == "repository:a:pull repository:localhost:5000/b:push registry:catalog:*"
    )


def test_unparseable_scope_is_kept_not_fatal() -> None:
    (c,) = parse_www_authenticate('Bearer realm="https://public.ecr.aws/token/",scope="aws"')
    assert c.scopes == [] and c.scope_errors == ["aws"]


def test_token68() -> None:
    (c,) = parse_www_authenticate("Negotiate YIIabc==")
    assert c.token68 == "YIIabc=="


@pytest.mark.parametrize(
    "bad,match",
    [
        ("", "empty"),
        ('Bearer realm="unterminated', "unterminated"),
        ("=oops", "expected an auth scheme"),
        ("Bearer " + "a" * 70000, "longer than"),
    ],
)
def test_errors(bad: str, match: str) -> None:
    with pytest.raises(ChallengeParseError, match=match):
        parse_www_authenticate(bad)


@given(st.text(max_size=300))
def test_hostile_text_raises_only_the_documented_error(value: str) -> None:
    try:
        parse_www_authenticate(value)
    except ChallengeParseError:
        pass


@given(
    st.lists(
        st.sampled_from(
            [
                "Bearer",
                " ",
                ",",
                "=",
                '"',
                "realm",
                "scope",
                "\\",
                "a:b:c",
                "Basic",
                "\t",
                "x",
                ":",
                "é",
                "\x00",
            ]
        ),
        max_size=40,
    )
)
def test_hostile_fragments(parts: list[str]) -> None:
    try:
        parse_www_authenticate("".join(parts))
    except ChallengeParseError:
        pass


@pytest.mark.parametrize(
    "value",
    [
        'Bearer realm="https://a/t", , service="s"',
        'Bearer realm="https://a/t",,service="s",scope="repository:a:pull,,push"',
        ', Bearer realm="https://a/t" , ,service="s",',
    ],
)
def test_empty_list_elements_are_accepted(value: str) -> None:
    """RFC 9110 section 5.6.1: recipients must accept empty list elements."""
    (c,) = parse_www_authenticate(value)
    assert c.realm == "https://a/t" and c.service == "s"


def test_errors_name_a_position_not_the_value() -> None:
    with pytest.raises(ChallengeParseError) as e:
        parse_www_authenticate('Bearer realm="x" s3cr3t-value junk')
    assert "s3cr3t" not in str(e.value)
