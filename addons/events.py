"""acrproxy's own mitmproxy event: how the analyzer tells other addons about an exchange that no
flow carries (a client that rejected the proxy's CA during the TLS handshake)."""

from __future__ import annotations

from dataclasses import dataclass

from mitmproxy import hooks

from acrproxy.exchange import Exchange
from acrproxy.note import ExchangeNote


@dataclass
class AcrproxyExchangeHook(hooks.Hook):
    """An exchange outside any flow, analysed. Addons receive it as
    `acrproxy_exchange(exchange, note)`."""

    exchange: Exchange
    note: ExchangeNote
