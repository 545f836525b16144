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
