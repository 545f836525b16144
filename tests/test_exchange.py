"""The exchange: header look-ups and what its URL says."""

from __future__ import annotations

from acrproxy.exchange import Exchange
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
