"""acrproxy's own mitmproxy events: how the analyzer tells other addons that a flow's note is
written (the analysis runs after the flow was passed on), and about an exchange that no flow
carries (a client that rejected the proxy's CA during the TLS handshake)."""

from __future__ import annotations

from collections.abc import Callable
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


class Announcer:
    """Delivers acrproxy's events to every addon that implements them, found the way mitmproxy's
    `addons.trigger` finds them (`traverse`, so script addons get them too).

    `trigger` wraps each of the ~40 loaded addons in a context manager: 140 µs per call here,
    once per request. The listeners are looked up once and again only when the set of loaded
    addons changes (an addon added, removed or a script reloaded); a listener's failure is
    contained and logged once.
    """

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self._loaded: tuple[object, ...] = ()
        self._listeners: dict[str, list[tuple[str, Callable[..., object]]]] = {}

    def __call__(self, master: Master, event: hooks.Hook) -> None:
        loaded = tuple(master.addons.lookup.values())
        if loaded != self._loaded:
            self._loaded, self._listeners = loaded, {}
        listeners = self._listeners.get(event.name)
        if listeners is None:
            listeners = self._listeners[event.name] = [
                (f"{event.name} in {type(addon).__name__}", fn)
                for addon in traverse(master.addons.chain)
                if callable(fn := getattr(addon, event.name, None))
            ]
        for what, fn in listeners:
            with self.guard.contain(what):
                fn(*event.args())
