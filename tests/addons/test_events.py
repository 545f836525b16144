"""acrproxy's own event reaches every addon that implements it, via mitmproxy's addon manager."""

from __future__ import annotations

import logging

from mitmproxy.test import taddons

from acrproxy.addons.events import AcrproxyExchangeHook
from acrproxy.analysis import Session
from acrproxy.checks.tls import rejected_handshake
from acrproxy.exchange import Exchange
from acrproxy.note import ExchangeNote
from tests.flows import T0


class Listener:
    def __init__(self) -> None:
        self.got: list[tuple[Exchange, ExchangeNote]] = []

    def acrproxy_exchange(self, exchange: Exchange, note: ExchangeNote) -> None:
        self.got.append((exchange, note))


def test_the_exchange_event_is_delivered() -> None:
    listener = Listener()
    ex = rejected_handshake("c1", "10.0.0.5", "r.test", "unknown ca", T0)
    note = Session().feed(ex)
    with taddons.context(listener) as tctx:
        tctx.master.addons.trigger(AcrproxyExchangeHook(ex, note))
    assert listener.got == [(ex, note)]
    assert AcrproxyExchangeHook.name == "acrproxy_exchange"


def test_announce_reaches_child_addons_and_contains_a_failing_listener(caplog) -> None:
    from acrproxy.addons.events import Announcer
    from acrproxy.addons.guard import Guard

    class Broken:
        def acrproxy_exchange(self, exchange: Exchange, note: ExchangeNote) -> None:
            raise RuntimeError("boom")

    class Parent:
        def __init__(self) -> None:
            self.addons = [Broken(), Listener()]

    parent = Parent()
    ex = rejected_handshake("c1", "10.0.0.5", "r.test", "unknown ca", T0)
    note = Session().feed(ex)
    with taddons.context(parent) as tctx:
        announce = Announcer(Guard(logging.getLogger("test")))
        announce(tctx.master, AcrproxyExchangeHook(ex, note))
        announce(tctx.master, AcrproxyExchangeHook(ex, note))
        late = Listener()  # loaded later (a script, say): found from then on
        late.name = "late"  # type: ignore[attr-defined]
        tctx.master.addons.add(late)
        announce(tctx.master, AcrproxyExchangeHook(ex, note))
        tctx.master.addons.remove(late)
        announce(tctx.master, AcrproxyExchangeHook(ex, note))
    assert parent.addons[1].got == [(ex, note)] * 4
    assert late.got == [(ex, note)]
    assert sum("acrproxy_exchange in Broken failed" in r.message for r in caplog.records) == 1
