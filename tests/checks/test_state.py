"""Session state for the checks: redirect chains and issued tokens, both bounded."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from acrproxy.checks.state import (
    REDIRECT_WINDOW,
    IssuedTokens,
    RedirectChains,
    _target,
    next_url,
)
from acrproxy.exchange import Exchange


def redirect(i: int, url: str, to: str, at: float = 100.0) -> Exchange:
    return Exchange(
        id=str(i),
        method="GET",
        url=url,
        client="c",
        started=at,
        status=307,
        resp_headers=[("location", to)],
    )


def test_chains_follow_relative_locations_to_the_first_request() -> None:
    chains = RedirectChains()
    first = redirect(1, "https://r.test/v2/a/blobs/x", "/hop")
    chains.depart(first, chains.arrive(first))
    second = redirect(2, "https://r.test/hop", "https://cdn.test/x", at=101)
    hop = chains.arrive(second)
    assert hop is not None and hop.exchange_id == "1"
    chains.depart(second, hop)
    target = Exchange(id="3", method="GET", url="https://cdn.test/x", client="c", started=102)
    hop = chains.arrive(target)
    assert hop is not None and hop.url == "https://r.test/v2/a/blobs/x"
    assert chains.arrive(target) is None  # consumed


def test_chains_expire_and_are_bounded() -> None:
    chains = RedirectChains(limit=3)
    for i in range(10):
        e = redirect(i, f"https://r.test/{i}", f"https://s.test/{i}")
        chains.depart(e, None)
    assert len(chains) == 3
    late = Exchange(
        id="x", method="GET", url="https://s.test/9", client="c", started=100 + REDIRECT_WINDOW + 1
    )
    assert chains.arrive(late) is None


def test_a_location_that_is_not_a_url_is_ignored() -> None:
    chains = RedirectChains()
    chains.depart(redirect(1, "https://r.test/", "https://[::1"), None)
    assert len(chains) == 0


def test_issued_tokens_are_bounded() -> None:
    issued = IssuedTokens(limit=2)
    assert len(issued) == 0


def _normalised(url: str) -> str:
    """What _target does for every URL: split and join again without userinfo and fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


@settings(max_examples=2000)
@given(
    st.sampled_from(["https://", "http://", "HTTPS://", "https:/", ""]),
    st.text(alphabet=st.sampled_from("ab:/?#@[]% \t\n\r\x00\x7f\u00e9."), max_size=30),
)
def test_the_fast_path_gives_what_splitting_and_joining_gives(scheme: str, rest: str) -> None:
    url = scheme + rest
    assert _target(url) == _normalised(url)


@settings(max_examples=2000)
@given(
    st.sampled_from(["https://r.test/v2/a/blobs/x", "http://r.test:5000/v2/", "https://[::1]/a?b"]),
    st.sampled_from(["https://", "http://", "HTTP://", "//", "/", ""]),
    st.text(alphabet=st.sampled_from("ab1:/?#@[];.%- \t\x00"), max_size=30),
)
def test_next_url_is_urljoin(base: str, scheme: str, rest: str) -> None:
    location = scheme + rest
    try:
        expected = urljoin(base, location)
    except ValueError:
        expected = "ValueError"
    try:
        got = next_url(base, location)
    except ValueError:
        got = "ValueError"
    assert got == expected
