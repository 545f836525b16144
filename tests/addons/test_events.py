"""acrproxy's own event reaches every addon that implements it, via mitmproxy's addon manager."""

from __future__ import annotations

from mitmproxy.test import taddons

from acrproxy.addons.events import AcrproxyFindingHook
from acrproxy.checks.tls import client_rejected_proxy_ca
from acrproxy.findings import Finding


class Listener:
    def __init__(self) -> None:
        self.got: list[Finding] = []

    def acrproxy_finding(self, finding: Finding) -> None:
        self.got.append(finding)


def test_the_finding_event_is_delivered() -> None:
    listener = Listener()
    finding = client_rejected_proxy_ca("10.0.0.5", "r.test", "unknown ca")
    with taddons.context(listener) as tctx:
        tctx.master.addons.trigger(AcrproxyFindingHook(finding))
    assert listener.got == [finding]
    assert AcrproxyFindingHook.name == "acrproxy_finding"
