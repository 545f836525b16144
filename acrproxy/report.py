"""The report: what a capture shows (findings and auth flows). Every output renders this model."""

from __future__ import annotations

from pydantic import BaseModel

from acrproxy import __version__
from acrproxy.authflow import AuthFlow
from acrproxy.findings import Finding, Severity


class Report(BaseModel):
    """What a capture shows: findings and auth flows (the JSON report)."""

    tool: str = "acrproxy"
    version: str = __version__
    findings: list[Finding] = []
    auth_flows: list[AuthFlow] = []
    requests: int = 0
    """How many exchanges (HTTP request/response pairs) were analysed."""
    hosts: list[str] = []
    dropped_auth_flows: int = 0
    """Older auth flows not kept (a session keeps the newest 1000)."""
    dropped_findings: int = 0
    """Distinct findings not kept (a session keeps the first 1000)."""

    def has_problems(self) -> bool:
        """True when a finding of low severity or above was raised (the CLI's exit 1)."""
        return any(f.severity.rank >= Severity.LOW.rank for f in self.findings)
