"""Session state the checks read through their context: redirect chains and issued tokens.

Both are bounded (oldest entries go first), so a long capture cannot grow them without limit.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from urllib.parse import urljoin, urlsplit, urlunsplit

from acrproxy.authflow import Recorded, Step
from acrproxy.checks.context import Hop
from acrproxy.exchange import Exchange
from acrproxy.sensitive import MAX_TRACKED

REDIRECTS = (301, 302, 303, 307, 308)
REDIRECT_WINDOW = 120.0
"""A request counts as following a redirect when it comes within this many seconds."""
MAX_ENTRIES = MAX_TRACKED


class RedirectChains:
    """Pending redirects: (client, target URL) -> the first request of the chain."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self._pending: OrderedDict[tuple[str, str], Hop] = OrderedDict()
        self._limit = limit

    def arrive(self, ex: Exchange) -> Hop | None:
        """The chain this request follows, if it is the target of a recent redirect."""
        hop = self._pending.pop((ex.client, _target(ex.url)), None)
        if hop is not None and ex.started - hop.at > REDIRECT_WINDOW:
            return None
        return hop

    def depart(self, ex: Exchange, chain: Hop | None) -> None:
        """Remember where a redirect response sends the client next."""
        if ex.status not in REDIRECTS:
            return
        location = ex.resp("location")
        if not location:
            return
        try:
            target = next_url(ex.url, location)
        except ValueError:  # not a URL (e.g. an unclosed IPv6 bracket): nothing to follow
            return
        url, first = (chain.url, chain.exchange_id) if chain else (ex.url, ex.id)
        self._pending[(ex.client, _target(target))] = Hop(url, first, ex.ended or ex.started)
        while len(self._pending) > self._limit:
            self._pending.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pending)


class IssuedTokens:
    """When each (client, service, scopes) token expires, to notice tokens fetched again."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self._expiry: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._limit = limit

    @staticmethod
    def key(ex: Exchange, rec: Recorded) -> tuple[str, str, str] | None:
        """(client, service, scopes) of a token request; None for any other exchange."""
        flow = rec.auth_flow
        if rec.step is not Step.TOKEN_REQUEST or flow is None or flow.token is None:
            return None
        scopes = " ".join(sorted(str(s) for s in flow.requested))
        return (ex.client, flow.token.request.service or "", scopes)

    def previous(self, key: tuple[str, str, str] | None) -> float | None:
        return self._expiry.get(key) if key is not None else None

    def record(self, key: tuple[str, str, str] | None, rec: Recorded) -> None:
        flow = rec.auth_flow
        if key is None or flow is None or flow.token is None or not flow.token.expires_at:
            return
        self._expiry[key] = flow.token.expires_at
        self._expiry.move_to_end(key)
        while len(self._expiry) > self._limit:
            self._expiry.popitem(last=False)

    def __len__(self) -> int:
        return len(self._expiry)


def next_url(url: str, location: str) -> str:
    """Where a redirect's Location sends the client: `urljoin`, without its work for an absolute
    plain URL (a storage host's signed URL, typically), which it would give back unchanged."""
    if _ABSOLUTE.match(location):
        return location
    return urljoin(url, location)


def _target(url: str) -> str:
    """A URL as the request that follows a redirect shows it: no userinfo, no fragment."""
    if _PLAIN.match(url):  # most URLs: nothing to take out or normalise
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


_PLAIN = re.compile(r"https?://[^@#?\s\x00-\x1f\x7f]*(?:\?[^@#\s\x00-\x1f\x7f]+)?\Z")
"""A lower-case http(s) URL without userinfo, fragment, an empty query, white space or control
characters, which urlsplit/urlunsplit would give back unchanged."""


_ABSOLUTE = re.compile(
    r"https?://[A-Za-z0-9.:-]+(?:/[^@#?;\s\x00-\x1f\x7f]*)?(?:\?[^@#\s\x00-\x1f\x7f]+)?\Z"
)
"""A plain absolute URL (a host name or IPv4 address, an optional port, no `;` in the path) that
urljoin gives back unchanged whatever the base."""


class Denials:
    """When each (account, repository, action) was last refused: asked of a token service and
    not granted, or refused by the registry for lack of it."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self.refused: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._limit = limit

    def record(self, ex: Exchange, rec: Recorded) -> None:
        flow = rec.auth_flow
        if flow is None or not flow.account:
            return
        gaps = (
            flow.not_granted
            if rec.step is Step.TOKEN_REQUEST
            else (flow.needed_not_granted if ex.status in (401, 403) else [])
        )
        for gap in gaps:
            for action in gap.missing:
                key = (flow.account, gap.name, action)
                self.refused[key] = ex.ended or ex.started
                self.refused.move_to_end(key)
        while len(self.refused) > self._limit:
            self.refused.popitem(last=False)
