"""Redirect checks: credentials that follow a redirect to another origin."""

from __future__ import annotations

import time

import pytest

from acrproxy.analysis import Session
from acrproxy.checks.redirects import leak_severity
from acrproxy.findings import Severity
from tests.flows import bearer, ex
from tests.sessions import REG, redirect_pair


def test_credential_leak_on_redirect_high_for_other_site() -> None:
    s = Session()
    redirect_pair(
        s,
        bearer("opaque-token-value-1234"),
        "https://acct.blob.core.windows.net/c/data?sig=abc&se=1",
        400,
        b"<Error><Code>InvalidAuthenticationInfo</Code></Error>",
    )
    found = {f.code: f for f in s.findings}
    assert found["CREDENTIAL_LEAK_ON_REDIRECT"].severity == Severity.HIGH
    assert {"DOUBLE_AUTH_ON_SIGNED_URL", "STORAGE_AUTH_ERROR"} <= set(found)
    assert len(found["CREDENTIAL_LEAK_ON_REDIRECT"].exchanges) == 2


def test_redirect_without_credentials_is_clean() -> None:
    s = Session()
    redirect_pair(s, {}, "https://acct.blob.core.windows.net/c/data?sig=abc")
    assert not s.findings


def test_leak_is_followed_along_a_chain_back_to_the_first_request() -> None:
    s = Session()
    t = time.time()
    s.feed(
        ex(
            f"{REG}/v2/a/blobs/sha256:{'b' * 64}",
            status=307,
            resp_headers={"Location": "/hop"},
            at=t,
        )
    )
    s.feed(
        ex(
            f"{REG}/hop",
            status=302,
            resp_headers={"Location": "https://cdn.other.test/x"},
            at=t + 0.1,
        )
    )
    s.feed(ex("https://cdn.other.test/x", req_headers={"Cookie": "a=b"}, at=t + 0.2))
    (f,) = s.findings
    assert f.code == "CREDENTIAL_LEAK_ON_REDIRECT" and f.evidence["origin"] == "reg.example.test"


@pytest.mark.parametrize(
    "first,target,sev",
    [
        ("https://r.azurecr.io/v2/", "https://x.blob.core.windows.net/", Severity.HIGH),
        ("https://r.azurecr.io/v2/", "https://r.eastus.data.azurecr.io/", Severity.MEDIUM),
        ("https://reg.example.com/", "https://reg.example.com:8443/", Severity.LOW),
        ("https://reg.example.com/", "http://reg.example.com/", Severity.LOW),
        ("https://registry.a-registry.test/", "https://blob.a-storage.test/", Severity.HIGH),
        ("https://registry.a.test/", "https://blob.a.test/", Severity.MEDIUM),
        ("https://10.0.0.1/", "https://10.0.0.2/", Severity.HIGH),
    ],
)
def test_leak_severity(first, target, sev) -> None:
    assert leak_severity(first, target) == sev
