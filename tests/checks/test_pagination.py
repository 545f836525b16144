"""Pagination: a list whose next page is never asked for (judged over the whole capture)."""

from __future__ import annotations

from acrproxy.analysis import Session
from acrproxy.exchange import Exchange

LINK = [("link", '</v2/team/app/tags/list?last=v1&n=1>; rel="next"')]


def page(i: str, url: str, link: bool = True) -> Exchange:
    return Exchange(
        id=i, method="GET", url=url, client="c", status=200, resp_headers=LINK if link else []
    )


def test_unfollowed_next_page_is_reported_at_the_end() -> None:
    s = Session()
    s.feed(page("1", "https://r.test/v2/team/app/tags/list?n=1"))
    assert s.findings == []  # not yet: the client may still ask
    (f,) = s.report().findings
    assert f.code == "PAGINATION_NOT_FOLLOWED" and "tags of team/app" in f.detail


def test_followed_next_page_is_fine() -> None:
    s = Session()
    s.feed(page("1", "https://r.test/v2/team/app/tags/list?n=1"))
    s.feed(page("2", "https://r.test/v2/team/app/tags/list?last=v1&n=1", link=False))
    assert s.report().findings == []
