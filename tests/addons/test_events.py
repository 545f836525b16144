"""acrproxy's own event reaches every addon that implements it, via mitmproxy's addon manager."""

from __future__ import annotations

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
