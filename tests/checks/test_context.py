"""The checks registry: every check of every family is listed once; checks only read state."""

from __future__ import annotations

import inspect

from acrproxy.analysis import Session
from acrproxy.checks import (
    CHECKS,
    SESSION_CHECKS,
    blobs,
    credentials,
    pagination,
    permissions,
    redirects,
    responses,
    signatures,
    timing,
    tls,
    tokens,
)
from tests.sessions import auth_dance, tok


def test_every_check_function_is_registered_once() -> None:
    found = set()
    modules = (
        blobs,
        credentials,
        redirects,
        responses,
        tls,
        tokens,
        timing,
        signatures,
        permissions,
    )
    for module in modules:
        for _name, fn in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if fn.__module__ == module.__name__ and params == ["ex", "ctx"]:
                found.add(fn)
    assert found == set(CHECKS) and len(CHECKS) == len(set(CHECKS))
    assert SESSION_CHECKS == (pagination.pagination_not_followed,)


def test_a_session_with_no_checks_records_auth_flows_and_finds_nothing() -> None:
    s = Session(checks=())
    auth_dance(
        s, tok(["pull"]), scope="repository:team/app:pull,push", retry_status=401, method="PUT"
    )
    assert s.findings == [] and s.recorder.flows[0].not_granted
