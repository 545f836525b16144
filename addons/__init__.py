"""mitmproxy addons that feed flows to acrproxy's core (installed as `acrproxy.addons`)."""

from __future__ import annotations


def default_addons() -> list[object]:
    """The addons `acrproxy run` and `mitmdump -s addons/entry.py` load, in hook order."""
    from acrproxy.addons.analyzer import Analyzer
    from acrproxy.addons.clientfilter import ClientFilter
    from acrproxy.addons.harwriter import HarWriter
    from acrproxy.addons.liveview import LiveView
    from acrproxy.addons.readsize import ReadSize
    from acrproxy.addons.streamer import Streamer

    return [ClientFilter(), ReadSize(), Streamer(), Analyzer(), HarWriter(), LiveView()]


class Acrproxy:
    """acrproxy's addons as one mitmproxy addon with children (mitmproxy's `addons` attribute).

    mitmproxy hands every event to each addon in its chain through a context manager and a
    coroutine of their own; as one entry in the chain, acrproxy's addons pay that once per
    event instead of once each (see bench/README.md). Their hooks run in the same order.
    """

    def __init__(self) -> None:
        self.addons = default_addons()
