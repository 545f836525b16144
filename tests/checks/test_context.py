"""The checks registry: every check of every family is listed once; checks only read state."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import acrproxy.checks
from acrproxy.analysis import Session
from acrproxy.checks import CHECKS, SESSION_CHECKS, pagination
from tests.sessions import auth_dance, tok


def test_every_check_function_is_registered_once() -> None:
    """Every `(ex, ctx)` function of every module in the package, a family added later too."""
    found = set()
    modules = [
        importlib.import_module(f"{acrproxy.checks.__name__}.{m.name}")
        for m in pkgutil.iter_modules(acrproxy.checks.__path__)
    ]
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
