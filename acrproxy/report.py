"""The report: what a capture shows (findings and auth flows). Every output renders this model."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from acrproxy import __version__
from acrproxy.authflow import AuthFlow, Step
from acrproxy.exchange import Timings
from acrproxy.findings import Code, Finding, Severity
from acrproxy.manifest import ManifestInfo


class Role(StrEnum):
    """What an exchange did, as the waterfall colours it."""

    AUTH = "auth"
    """A 401 challenge or a token request."""
    MANIFEST = "manifest"
    BLOB = "blob"
    STORAGE = "storage"
    """A blob fetched from the storage host a registry redirected to."""
    UPLOAD = "upload"
    OTHER = "other"


class ExchangeRecord(BaseModel):
    """One exchange as the report shows it (URL redacted; no header or body)."""

    id: str
    client: str = ""
    method: str
    url: str
    host: str
    target: str
    """What it is about: `team/app manifest v1`, `team/app blob sha256:1a2b3c4d`, or the path."""
    repository: str = ""
    reference: str = ""
    status: int | None = None
    error: str | None = None
    role: Role = Role.OTHER
    step: Step = Step.REQUEST
    auth_flow_id: int | None = None
    credential: str = ""
    """How the request authenticated, safely: `Basic bob`, `Bearer sha256:1a2b3c4d`, or ""."""
    follows: str | None = None
    """For a request after a redirect: the id of the exchange that started the chain."""
    started: float = 0.0
    duration_ms: float | None = None
    timings: Timings | None = None
    size: int | None = None
    media_type: str = ""
    manifest: ManifestInfo | None = None
    blob_verified: bool | None = None
    """For a streamed blob: True when its sha256 matched its digest."""
    findings: list[Code] = []


class Report(BaseModel):
    """What a capture shows: findings and auth flows (the JSON report)."""

    tool: str = "acrproxy"
    version: str = __version__
    findings: list[Finding] = []
    auth_flows: list[AuthFlow] = []
    requests: int = 0
    """How many exchanges (HTTP request/response pairs) were analysed."""
    hosts: list[str] = []
    exchanges: list[ExchangeRecord] = []
    """The newest exchanges, in the order they completed."""
    dropped_exchanges: int = 0
    dropped_auth_flows: int = 0
    """Older auth flows not kept (a session keeps the newest 1000)."""
    dropped_findings: int = 0
    """Distinct findings not kept (a session keeps the first 1000)."""

    def has_problems(self) -> bool:
        """True when a finding of low severity or above was raised (the CLI's exit 1)."""
        return any(f.severity.rank >= Severity.LOW.rank for f in self.findings)
