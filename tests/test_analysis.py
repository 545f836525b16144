"""The analysis session: checks run once per exchange, findings de-duplicated."""

from __future__ import annotations

from acrproxy.analysis import Session
from acrproxy.findings import CATALOGUE
from tests.flows import ex
from tests.sessions import AUTH, REG


def test_catalogue_is_complete_and_stable() -> None:
    assert len(CATALOGUE) == 17
    assert all(code.isupper() and " " not in code for code in CATALOGUE)


def test_same_finding_twice_is_one_finding_with_both_flows() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    (f,) = s.findings
    assert len(f.exchanges) == 2


def test_deeply_nested_json_bodies_are_not_fatal() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/x/manifests/v1", status=403, body=b"[" * 100000))
    s.feed(ex(f"{AUTH}?service=s", body=b"[" * 100000))
    from acrproxy.redact import Redactor

    assert Redactor().json_text("[" * 100000) is None  # not JSON it can read: left out
