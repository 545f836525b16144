"""Pagination: catalog and tag lists whose next page the client never asked for.

A session check: it needs the whole capture (a next page may come later), so it runs when the
report is made, over what `Pages` tracked.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from urllib.parse import urljoin

from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make
from acrproxy.registry_api import Kind
from acrproxy.sensitive import MAX_TRACKED

_NEXT = re.compile(r'<([^>]{1,2048})>\s{0,10};[^,]{0,200}rel="?next"?', re.IGNORECASE)


class PageEvidence(Evidence):
    host: str
    list: str


class Pages:
    """Next pages announced and not yet asked for: (client, next URL) -> the exchange."""

    def __init__(self, limit: int = MAX_TRACKED) -> None:
        self.pending: OrderedDict[tuple[str, str], Exchange] = OrderedDict()
        self._limit = limit

    def feed(self, ex: Exchange) -> None:
        self.pending.pop((ex.client, ex.url), None)
        if ex.api.kind not in (Kind.CATALOG, Kind.TAGS) or ex.status != 200:
            return
        m = _NEXT.search(ex.resp("link") or "")
        if m is None:
            return
        try:
            target = urljoin(ex.url, m.group(1))
        except ValueError:
            return
        light = Exchange(id=ex.id, method=ex.method, url=ex.url, client=ex.client)
        self.pending[(ex.client, target)] = light
        while len(self.pending) > self._limit:
            self.pending.popitem(last=False)


def pagination_not_followed(pages: Pages) -> Iterator[Finding]:
    for ex in pages.pending.values():
        what = "the catalog" if ex.api.kind is Kind.CATALOG else f"the tags of {ex.api.repository}"
        yield make(
            Code.PAGINATION_NOT_FOLLOWED,
            [ex.id],
            detail=f"{ex.authority} said {what} goes on (Link rel=next); the client did not ask "
            "for the next page",
            key=f"{ex.authority}:{ex.parts.path}",
            evidence=PageEvidence(host=ex.authority, list=ex.parts.path),
        )
