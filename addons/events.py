"""acrproxy's own mitmproxy events: how the analyzer tells other addons that a flow's note is
written (the analysis runs after the flow was passed on), and about an exchange that no flow
carries (a client that rejected the proxy's CA during the TLS handshake)."""

from __future__ import annotations

from dataclasses import dataclass

from mitmproxy import hooks, http
from mitmproxy.addonmanager import traverse
from mitmproxy.master import Master

from acrproxy.addons.guard import Guard
from acrproxy.exchange import Exchange
from acrproxy.note import ExchangeNote


@dataclass
class AcrproxyExchangeHook(hooks.Hook):
    """An exchange outside any flow, analysed. Addons receive it as
    `acrproxy_exchange(exchange, note)`."""

    exchange: Exchange
    note: ExchangeNote


@dataclass
class AcrproxyAnalyzedHook(hooks.Hook):
    """A flow whose analysis is done: its note (`flow.metadata["acrproxy"]`) is written. Addons
    receive it as `acrproxy_analyzed(flow)`, in the order flows completed."""

    flow: http.HTTPFlow


def announce(master: Master, event: hooks.Hook, guard: Guard) -> None:
    """Deliver one of acrproxy's events to every addon that implements it, found the way
    mitmproxy's `addons.trigger` finds them (`traverse`, so script addons get it too).

    `trigger` wraps each of the ~40 loaded addons in a context manager: 140 µs per call here,
    once per request. This costs 8 µs; a listener's failure is contained and logged once.
    """
    for addon in traverse(master.addons.chain):
        fn = getattr(addon, event.name, None)
        if callable(fn):
            with guard.contain(f"{event.name} in {type(addon).__name__}"):
                fn(*event.args())
