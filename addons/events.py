"""acrproxy's own mitmproxy event: how the analyzer tells other addons about a finding that no
flow carries (a client that rejected the proxy's CA during the TLS handshake)."""

from __future__ import annotations

from dataclasses import dataclass

from mitmproxy import hooks

from acrproxy.findings import Finding


@dataclass
class AcrproxyFindingHook(hooks.Hook):
    """A finding raised outside any flow. Addons receive it as `acrproxy_finding(finding)`."""

    finding: Finding
