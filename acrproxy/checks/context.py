"""What a check may read besides the exchange: the recorder's view of it and session state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from acrproxy.authflow import AuthFlow, Recorded
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Finding


class Hop(NamedTuple):
    """The first request of a redirect chain."""

    url: str
    exchange_id: str
    at: float


_NONE: Mapping[tuple[str, str, str], float] = MappingProxyType({})


def _nothing_known(code: Code, key: str) -> bool:
    return False


class Context(NamedTuple):
    """Read-only: a check never changes session state. (A named tuple: one is made for every
    exchange, and it is the cheapest immutable record to make.)"""

    recorded: Recorded
    """What the auth-flow recorder made of this exchange (step, auth flow, credential)."""
    redirected_from: Hop | None
    """Where the redirect chain that led to this request started (None: not a redirect)."""
    previous_token_expiry: float | None
    """For a token request: when the earlier token for the same client, service and scopes
    expires (None: there was none)."""
    token_flows: Mapping[str, AuthFlow]
    """Token fingerprint -> the auth flow that issued the token."""
    denials: Mapping[tuple[str, str, str], float] = _NONE
    """(account, repository, action) -> when it was last refused."""
    slow_after: float = 10.0
    """Seconds an upstream may take in one phase before it counts as slow."""
    known: Callable[[Code, str], bool] = _nothing_known
    """True when a finding of this code and key is recorded already with its full list of
    example exchanges: one more would add nothing, so a check that finds the same thing again
    and again may skip making it."""


Check = Callable[[Exchange, Context], Iterable[Finding]]
"""A check: a small pure function over one exchange and the context, yielding findings."""
