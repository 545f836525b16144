"""Scope strings, lenient as registries are."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acrproxy.errors import ScopeParseError
from acrproxy.scopes import parse_scope, parse_scopes


@pytest.mark.parametrize(
    "value,kind,name,actions,cls",
    [
        (
            "repository:samalba/my-app:pull,push",
            "repository",
            "samalba/my-app",
            ("pull", "push"),
            None,
        ),
        ("repository:localhost:5000/foo:pull", "repository", "localhost:5000/foo", ("pull",), None),
        ("registry:catalog:*", "registry", "catalog", ("*",), None),
        (
            "repository:a/b:metadata_read,metadata_write",
            "repository",
            "a/b",
            ("metadata_read", "metadata_write"),
            None,
        ),
        ("artifact-repository:charts/x:pull", "artifact-repository", "charts/x", ("pull",), None),
        ("repository(plugin):vieux/sshfs:pull", "repository", "vieux/sshfs", ("pull",), "plugin"),
        ("repository:foo:", "repository", "foo", (), None),
        (
            "repository:a/b:deleted_read,deleted_restore,delete",
            "repository",
            "a/b",
            ("deleted_read", "deleted_restore", "delete"),
            None,
        ),
    ],
)
def test_parse_scope(value, kind, name, actions, cls) -> None:
    s = parse_scope(value)
    assert (s.type, s.name, s.actions, s.resource_class) == (kind, name, actions, cls)
    assert str(s) == value


def test_space_joined_and_repeated() -> None:
    got = parse_scopes(["repository:a:pull repository:b:push", "registry:catalog:*"])
    assert [s.name for s in got] == ["a", "b", "catalog"]


@pytest.mark.parametrize("bad", ["aws", "*", "repository:foo", ":foo:pull", "repository::pull"])
def test_invalid(bad: str) -> None:
    with pytest.raises(ScopeParseError, match="Invalid scope"):
        parse_scope(bad)


@given(st.text(max_size=200))
def test_hostile(value: str) -> None:
    try:
        parse_scopes(value)
    except ScopeParseError:
        pass
