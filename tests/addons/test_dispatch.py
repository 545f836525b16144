"""FastDispatch delivers every event exactly as mitmproxy's own dispatch does, only faster."""

from __future__ import annotations

import asyncio
import logging
import types
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mitmproxy import exceptions, hooks
from mitmproxy.proxy.layers.http import HttpRequestHook, HttpResponseHook
from mitmproxy.test import taddons, tflow

from acrproxy.addons.dispatch import FastDispatch, install

KINDS = ["none", "sync", "async", "raise", "halt", "module", "not-callable", "falsy"]


class Recorder:
    """An addon whose `request`/`response`/`update` handlers do what its kind says."""

    def __init__(self, log: list[str], label: str, kind: str, children: list[Recorder]) -> None:
        self.name = label
        self.label, self.log = label, log
        if children:
            self.addons = children
        if kind == "none":
            return
        for hook in ("request", "response", "update"):
            if kind == "module":
                setattr(self, hook, types.ModuleType(hook))
            elif kind == "not-callable":
                setattr(self, hook, 42)
            elif kind == "falsy":
                setattr(self, hook, 0)
            else:
                setattr(self, hook, self._handler(hook, kind))

    def __repr__(self) -> str:  # the same in both runs (errors name the addon)
        return f"Recorder({self.label})"

    def _handler(self, hook: str, kind: str) -> Any:
        def sync(*args: object) -> None:
            self.log.append(f"{self.label}.{hook}")
            if kind == "raise":
                raise ValueError(f"boom in {self.label}")
            if kind == "halt":
                raise exceptions.AddonHalt()

        async def coro(*args: object) -> None:
            await asyncio.sleep(0)  # really suspends (not a timed wait)
            self.log.append(f"{self.label}.{hook} (async)")

        return coro if kind == "async" else sync


trees = st.recursive(
    st.tuples(st.sampled_from(KINDS), st.just(())),
    lambda sub: st.tuples(st.sampled_from(KINDS), st.lists(sub, max_size=3).map(tuple)),
    max_leaves=8,
)


def build(spec: list[tuple[str, tuple]], log: list[str], prefix: str = "a") -> list[Recorder]:
    return [
        Recorder(log, f"{prefix}{i}", kind, build(list(kids), log, f"{prefix}{i}_"))
        for i, (kind, kids) in enumerate(spec)
    ]


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def run(spec: list[tuple[str, tuple]], fast: bool) -> tuple[list[str], list[str]]:
    log: list[str] = []
    # Addon errors are logged here; kept from the root logger, where every test master's log
    # handler stays installed (and would hand the record to a closed event loop).
    errors, logger = Errors(), logging.getLogger("mitmproxy.addonmanager")
    logger.addHandler(errors)
    logger.propagate = False
    try:
        with taddons.context() as tctx:
            manager = tctx.master.addons
            for addon in build(spec, log):
                manager.add(addon)
            if fast:
                install(manager)
            f = tflow.tflow(resp=True)
            for event in (HttpRequestHook(f), HttpResponseHook(f), hooks.UpdateHook([f])):
                await manager.handle_lifecycle(event)
    finally:
        logger.removeHandler(errors)
        logger.propagate = True
    return log, errors.messages


async def both(spec: list[tuple[str, tuple]]) -> tuple[object, object]:
    return await run(spec, fast=True), await run(spec, fast=False)


@settings(max_examples=120, deadline=None)
@given(spec=st.lists(trees, max_size=5))
def test_the_same_calls_in_the_same_order_with_the_same_errors(spec) -> None:
    fast, mitmproxy = asyncio.run(both(spec))
    assert fast == mitmproxy


def test_the_table_follows_addons_added_and_removed() -> None:
    log: list[str] = []

    async def go() -> None:
        with taddons.context() as tctx:
            manager = tctx.master.addons
            fast = install(manager)
            f = tflow.tflow(resp=True)
            await manager.trigger_event(HttpRequestHook(f))
            late = Recorder(log, "late", "sync", [])
            manager.add(late)
            await manager.trigger_event(HttpRequestHook(f))
            manager.remove(late)
            await manager.trigger_event(HttpRequestHook(f))
            assert isinstance(fast, FastDispatch) and fast.handlers("request") == []

    asyncio.run(go())
    assert log == ["late.request"]


def test_addons_without_a_handler_are_not_visited() -> None:
    async def go() -> int:
        with taddons.context() as tctx:
            manager = tctx.master.addons
            for addon in build([("none", ()), ("sync", ()), ("none", (("none", ()),))], []):
                manager.add(addon)
            return len(install(manager).handlers("request"))

    assert asyncio.run(go()) == 1
