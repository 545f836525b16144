"""`WWW-Authenticate` values: RFC 7235 challenges, read leniently as registries send them."""

from __future__ import annotations

import functools

from pydantic import BaseModel, ConfigDict, Field

from acrproxy.errors import ChallengeParseError, ScopeParseError
from acrproxy.scopes import Scope, parse_scope
from acrproxy.sensitive import CACHED_VALUE_MAX, HEADER_MAX

_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TOKEN68 = _TCHAR | frozenset("/=")


class Challenge(BaseModel):
    """One challenge: a scheme and its auth-params (or a token68)."""

    model_config = ConfigDict(frozen=True)

    scheme: str
    """As sent; compare with `is_bearer`/`is_basic`, which ignore case."""
    params: dict[str, str] = Field(default_factory=dict)
    """Auth-params with lower-cased names; repeated `scope` params are joined with a space."""
    scopes: list[Scope] = Field(default_factory=list)
    """Every resource scope in the `scope` params, in order."""
    scope_errors: list[str] = Field(default_factory=list)
    """Scope strings that are not `type:name:actions` (kept, not fatal: `scope="aws"`)."""
    token68: str | None = None

    @property
    def is_bearer(self) -> bool:
        return self.scheme.lower() == "bearer"

    @property
    def is_basic(self) -> bool:
        return self.scheme.lower() == "basic"

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")

    @property
    def service(self) -> str | None:
        return self.params.get("service")

    @property
    def error(self) -> str | None:
        return self.params.get("error")


class _Reader:
    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def token(self, chars: frozenset[str] = _TCHAR) -> str:
        start = self.i
        while self.i < len(self.s) and self.s[self.i] in chars:
            self.i += 1
        return self.s[start : self.i]

    def quoted(self) -> str:
        assert self.s[self.i] == '"'
        self.i += 1
        end = self.s.find('"', self.i)
        if end >= 0 and "\\" not in self.s[self.i : end]:  # no escapes: the common case
            value, self.i = self.s[self.i : end], end + 1
            return value
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                out.append(self.s[self.i + 1])
                self.i += 2
            elif c == '"':
                self.i += 1
                return "".join(out)
            else:
                out.append(c)
                self.i += 1
        raise ChallengeParseError(f"unterminated quoted string at character {self.i}")

    def unquoted(self) -> str:
        # Lenient: registries send URLs and scopes unquoted (gcr.io), beyond RFC 7235's token.
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in ", \t":
            self.i += 1
        return self.s[start : self.i]


def parse_www_authenticate(value: str) -> list[Challenge]:
    """Parse a WWW-Authenticate value into its challenges (several may share one header)."""
    if len(value) > CACHED_VALUE_MAX:  # rare and large: not worth keeping
        return _parse(value)
    return list(_parse_cached(value))


@functools.lru_cache(maxsize=512)
def _parse_cached(value: str) -> tuple[Challenge, ...]:
    """Registries send the same few challenges again and again; Challenge models are frozen."""
    return tuple(_parse(value))


def _parse(value: str) -> list[Challenge]:
    if len(value) > HEADER_MAX:
        raise ChallengeParseError(f"WWW-Authenticate longer than {HEADER_MAX} characters")
    r = _Reader(value)
    challenges: list[Challenge] = []
    while True:
        while r.peek() in (" ", "\t", ","):
            r.i += 1
        if not r.peek():
            break
        scheme = r.token()
        if not scheme:
            raise ChallengeParseError(f"expected an auth scheme at character {r.i}")
        params: dict[str, list[str]] = {}
        token68 = None
        r.skip_ws()
        while r.peek() and r.peek() != ",":
            start = r.i
            name = r.token()
            r.skip_ws()
            if name and r.peek() == "=" and not _is_token68_tail(r.s, r.i):
                r.i += 1
                r.skip_ws()
                val = r.quoted() if r.peek() == '"' else r.unquoted()
                params.setdefault(name.lower(), []).append(val)
                r.skip_ws()
                if r.peek() == ",":
                    while r.peek() in (",", " ", "\t"):  # empty list elements: RFC 9110 5.6.1
                        r.i += 1
                    save = r.i
                    nxt = r.token()
                    r.skip_ws()
                    if nxt and r.peek() != "=":  # a new challenge starts here
                        r.i = save
                        break
                    r.i = save
                continue
            r.i = start
            if params or token68 is not None:
                raise ChallengeParseError(f"unexpected text at character {r.i}")
            token68 = r.token(_TOKEN68)
            if not token68:
                raise ChallengeParseError(f"unexpected character at {r.i}")
            r.skip_ws()
        challenges.append(_build(scheme, params, token68))
    if not challenges:
        raise ChallengeParseError("empty WWW-Authenticate value")
    return challenges


def _is_token68_tail(s: str, i: int) -> bool:
    """True when the `=` run at s[i] ends a token68 (`abc==`) rather than starting a value."""
    j = i
    while j < len(s) and s[j] == "=":
        j += 1
    rest = s[j:].lstrip(" \t")
    return j - i >= 2 or not rest or rest[0] == ","


def _build(scheme: str, raw: dict[str, list[str]], token68: str | None) -> Challenge:
    scopes: list[Scope] = []
    errors: list[str] = []
    for value in raw.get("scope", []):
        for part in value.split():
            try:
                scopes.append(parse_scope(part))
            except ScopeParseError:
                errors.append(part)
    params = {k: " ".join(v) if k == "scope" else v[0] for k, v in raw.items()}
    return Challenge(
        scheme=scheme, params=params, scopes=scopes, scope_errors=errors, token68=token68
    )
