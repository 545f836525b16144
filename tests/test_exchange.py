"""The exchange: header look-ups and what its URL says."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from acrproxy.exchange import Exchange, split_url
from acrproxy.registry_api import Kind


def test_lookups_and_url_parts() -> None:
    e = Exchange(
        id="1",
        method="GET",
        url="https://r.test:5000/v2/a/manifests/v1?x=1",
        req_headers=[("authorization", "Bearer t")],
        resp_headers=[("www-authenticate", "a"), ("www-authenticate", "b")],
        started=10.0,
        ended=10.5,
    )
    assert e.req("authorization") == "Bearer t" and e.req("cookie") is None
    assert e.resp_all("www-authenticate") == ["a", "b"] and e.resp("www-authenticate") == "a"
    assert e.host == "r.test" and e.path == "/v2/a/manifests/v1?x=1" and e.duration == 0.5
    assert e.api.kind is Kind.MANIFEST and e.api.repository == "a"


@settings(max_examples=2000)
@given(
    st.sampled_from(["https://", "http://", "HTTP://", "https:/", ""]),
    st.text(alphabet=st.sampled_from("ab1:/?#@[];.%-_ \t\x00AZé"), max_size=30),
)
def test_split_is_urlsplit(scheme: str, rest: str) -> None:
    url = scheme + rest
    try:
        expected: object = urlsplit(url)
    except ValueError:
        expected = "ValueError"
    split_url.cache_clear()
    try:
        got: object = split_url(url)
    except ValueError:
        got = "ValueError"
    assert got == expected
