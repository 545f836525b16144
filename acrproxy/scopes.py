"""Registry scopes: `type[(class)]:name:actions`, as in the distribution token spec."""

from __future__ import annotations

import functools
import re

from pydantic import BaseModel, ConfigDict, Field

from acrproxy.errors import ScopeParseError
from acrproxy.sensitive import SCOPE_MAX


class Scope(BaseModel):
    """One resource scope, e.g. `repository:team/app:pull,push`."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    type: str
    """Resource type: `repository`, `registry`, `artifact-repository`, ..."""
    name: str
    """Resource name; may hold a registry host and port (`localhost:5000/foo`)."""
    actions: tuple[str, ...] = ()
    """Actions in the order given; empty means none (how a token server says "denied")."""
    resource_class: str | None = Field(default=None, alias="class")
    """Deprecated resource class, `plugin` in `repository(plugin)`."""

    def __str__(self) -> str:
        kind = f"{self.type}({self.resource_class})" if self.resource_class else self.type
        return f"{kind}:{self.name}:{','.join(self.actions)}"

    @property
    def resource(self) -> tuple[str, str]:
        """The (type, name) pair that identifies the resource; the class is ignored."""
        return (self.type, self.name)


_SPACE = re.compile(r"\s")  # the characters str.isspace() calls white space


@functools.lru_cache(maxsize=1024)
def parse_scope(value: str) -> Scope:
    """Parse one resource scope (remembered: clients ask for the same few again and again;
    `Scope` is frozen).

    The type is the text before the first `:`, the actions the text after the last one, and the
    name everything between, so names with a port work (the spec warns against naive splits).
    """
    if len(value) > SCOPE_MAX:
        raise ScopeParseError(f"Invalid scope: longer than {SCOPE_MAX} characters")
    first, last = value.find(":"), value.rfind(":")
    if first < 0 or first == last:
        raise ScopeParseError("Invalid scope: expected type:name:actions")
    kind, name, actions = value[:first], value[first + 1 : last], value[last + 1 :]
    resource_class = None
    if kind.endswith(")") and "(" in kind:
        kind, resource_class = kind[:-1].split("(", 1)
    if not kind or not name or _SPACE.search(value):
        raise ScopeParseError("Invalid scope: empty type or name, or white space")
    return Scope(
        type=kind,
        name=name,
        actions=tuple(a for a in actions.split(",") if a),
        resource_class=resource_class or None,
    )


def parse_scopes(values: str | list[str]) -> list[Scope]:
    """Parse space-joined and/or repeated scope parameters into scopes, in order."""
    if isinstance(values, str):
        values = [values]
    return [parse_scope(part) for value in values for part in value.split()]


def merge_scopes(scopes: list[Scope]) -> dict[tuple[str, str], set[str]]:
    """Actions per resource, merging repeated resources."""
    merged: dict[tuple[str, str], set[str]] = {}
    for scope in scopes:
        merged.setdefault(scope.resource, set()).update(scope.actions)
    return merged


def covers(granted: set[str], action: str) -> bool:
    """True when the granted actions include `action` (`*` grants everything)."""
    return action in granted or "*" in granted
