"""What a check may read besides the exchange: the recorder's view of it and session state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from acrproxy.authflow import AuthFlow, Recorded
from acrproxy.exchange import Exchange
from acrproxy.findings import Finding


@dataclass(frozen=True, slots=True)
class Hop:
    """The first request of a redirect chain."""

    url: str
    exchange_id: str
    at: float


@dataclass(frozen=True, slots=True)
class Context:
    """Read-only: a check never changes session state."""

    recorded: Recorded
    """What the auth-flow recorder made of this exchange (step, auth flow, credential)."""
    redirected_from: Hop | None
    """Where the redirect chain that led to this request started (None: not a redirect)."""
    previous_token_expiry: float | None
    """For a token request: when the earlier token for the same client, service and scopes
    expires (None: there was none)."""
    token_flows: Mapping[str, AuthFlow]
    """Token fingerprint -> the auth flow that issued the token."""
    denials: Mapping[tuple[str, str, str], float] = field(default_factory=dict)
    """(account, repository, action) -> when it was last refused."""
    slow_after: float = 10.0
    """Seconds an upstream may take in one phase before it counts as slow."""


Check = Callable[[Exchange, Context], Iterable[Finding]]
"""A check: a small pure function over one exchange and the context, yielding findings."""
