"""The analysis session: the auth-flow recorder, the checks, and de-duplication of findings."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult

from acrproxy.authflow import Lru, Recorded, Recorder, Step
from acrproxy.checks import CHECKS, SESSION_CHECKS, Check, Context
from acrproxy.checks.blobs import verified
from acrproxy.checks.pagination import Pages
from acrproxy.checks.state import Denials, IssuedTokens, RedirectChains
from acrproxy.exchange import Exchange, Timings, authority
from acrproxy.findings import Code, Finding
from acrproxy.manifest import ManifestInfo, parse_manifest
from acrproxy.note import ExchangeNote
from acrproxy.redact import redact_url, scrub
from acrproxy.registry_api import ApiPath, Kind, describe_target
from acrproxy.report import ExchangeRecord, Report, Role
from acrproxy.sensitive import (
    MAX_EXCHANGES_KEPT,
    MAX_EXCHANGES_PER_FINDING,
    MAX_FINDINGS,
    MAX_TRACKED,
)
from acrproxy.tokens import Credential


class Session:
    """One capture's analysis. Not thread-safe; feed exchanges in completion order.

    Bounded by count (see `acrproxy.sensitive`): a long capture keeps the newest auth flows,
    the first distinct findings, and a limited number of hosts and pending state.
    """

    def __init__(self, checks: Sequence[Check] = CHECKS, slow_after: float = 10.0) -> None:
        self.recorder = Recorder()
        self.redirects = RedirectChains()
        self.issued = IssuedTokens()
        self.denials = Denials()
        self.pages = Pages()
        self.slow_after = slow_after
        self.checks = tuple(checks)
        self._findings: dict[tuple[Code, str], Occurrences] = {}
        self.dropped_findings = 0
        self._records: deque[Seen] = deque(maxlen=MAX_EXCHANGES_KEPT)
        self.requests = 0
        self.hosts: Lru[str, None] = Lru(MAX_TRACKED)
        self._known = self._full  # one bound method for every exchange's context

    @property
    def findings(self) -> list[Finding]:
        return [o.finding() for o in self._findings.values()]

    def _full(self, code: Code, key: str) -> bool:
        """True when a finding is known with its full list of example exchanges."""
        known = self._findings.get((code, key))
        return known is not None and known.full

    def _add(self, finding: Finding) -> bool:
        """Keep a finding; an occurrence already known only adds its exchanges. True if new."""
        k = (finding.code, finding.key)
        known = self._findings.get(k)
        if known is None:
            if len(self._findings) >= MAX_FINDINGS:
                self.dropped_findings += 1
                return False
            self._findings[k] = Occurrences(finding, set(finding.exchanges))
            return True
        known.add(finding.exchanges)
        return False

    def feed(self, ex: Exchange) -> ExchangeNote:
        """Analyse one exchange; returns what it showed (new findings, completed auth flows)."""
        rec, new, check = self._analyse(ex)
        return ExchangeNote.model_construct(  # built from validated parts: no need to re-check
            blob_verified=check,
            step=rec.step,
            auth_flow_id=rec.auth_flow.id if rec.auth_flow else None,
            findings=new,
            completed_auth_flows=rec.completed,
        )

    def add(self, ex: Exchange) -> None:
        """Analyse one exchange for the report only (`analyze` of a capture: no note needed)."""
        self._analyse(ex)

    def _analyse(self, ex: Exchange) -> tuple[Recorded, list[Finding], bool | None]:
        self.requests += 1
        self.hosts[ex.authority] = None
        rec = self.recorder.feed(ex)
        hop = self.redirects.arrive(ex)
        issued = self.issued.key(ex, rec)
        ctx = Context(
            recorded=rec,
            redirected_from=hop,
            previous_token_expiry=self.issued.previous(issued),
            token_flows=self.recorder.token_flows,
            denials=self.denials.refused,
            slow_after=self.slow_after,
            known=self._known,
        )
        new = [f for check in self.checks for f in check(ex, ctx) if self._add(f)]
        self.redirects.depart(ex, hop)
        self.issued.record(issued, rec)
        self.denials.record(ex, rec)
        self.pages.feed(ex)
        check = verified(ex, hop.url if hop else None)
        self._records.append(seen(ex, rec, hop.exchange_id if hop else None, check))
        return rec, new, check

    def report(self) -> Report:
        if self.checks:
            for check in SESSION_CHECKS:
                for finding in check(self.pages):
                    self._add(finding)
        codes: dict[str, list[Code]] = {}
        for f in self.findings:
            for i in f.exchanges:
                codes.setdefault(i, []).append(f.code)
        records = [r.record(codes.get(r.id, [])) for r in self._records]
        return Report(
            exchanges=records,
            dropped_exchanges=self.requests - len(records),
            findings=self.findings,
            auth_flows=self.recorder.flows,
            requests=self.requests,
            hosts=sorted(self.hosts),
            dropped_auth_flows=self.recorder.dropped,
            dropped_findings=self.dropped_findings,
        )


@dataclass(slots=True)
class Occurrences:
    """A finding as first found, and the exchanges of its later occurrences (at most
    `MAX_EXCHANGES_PER_FINDING` in all): merged into one finding only when it is read."""

    first: Finding
    ids: set[str]
    added: list[str] = field(default_factory=list)
    merged: Finding | None = None

    @property
    def full(self) -> bool:
        return len(self.first.exchanges) + len(self.added) >= MAX_EXCHANGES_PER_FINDING

    def add(self, exchanges: list[str]) -> None:
        for i in exchanges:
            if self.full:  # a finding seen often: its list of examples is full
                return
            if i not in self.ids:
                self.ids.add(i)
                self.added.append(i)
                self.merged = None

    def finding(self) -> Finding:
        if not self.added:
            return self.first
        if self.merged is None:
            first = self.first
            self.merged = first.model_copy(update={"exchanges": [*first.exchanges, *self.added]})
            self.merged._key = first.key
        return self.merged


_ROLES = {Kind.MANIFEST: Role.MANIFEST, Kind.BLOB: Role.BLOB, Kind.UPLOAD: Role.UPLOAD}


@dataclass(slots=True)
class Seen:
    """An exchange as the report will list it, kept raw and light (no header, no body): the
    redaction and model building happen only for the exchanges a report keeps."""

    id: str
    client: str
    method: str
    url: str
    started: float
    ended: float | None
    status: int | None
    size: int | None
    error: str | None
    timings: Timings | None
    parts: SplitResult
    api: ApiPath
    step: Step
    auth_flow_id: int | None
    credential: Credential | None
    follows: str | None
    manifest: ManifestInfo | None
    media_type: str
    blob_verified: bool | None

    @property
    def role(self) -> Role:
        kind = self.api.kind
        if self.step in (Step.CHALLENGE, Step.TOKEN_REQUEST) or (
            self.status == 401 and kind is Kind.BASE
        ):
            return Role.AUTH
        if self.follows is not None and kind is Kind.OTHER:
            return Role.STORAGE
        return _ROLES.get(kind, Role.OTHER)

    def record(self, findings: list[Code]) -> ExchangeRecord:
        api, path = self.api, self.parts.path
        ended = self.ended
        return ExchangeRecord(
            id=self.id,
            client=self.client,
            method=self.method,
            url=redact_url(self.url),
            host=authority(self.url),
            target=scrub(describe_target(path) if api.repository else path),
            repository=api.repository,
            reference=api.reference if api.kind is not Kind.UPLOAD else "",
            status=self.status,
            error=scrub(self.error) if self.error else None,
            role=self.role,
            step=self.step,
            auth_flow_id=self.auth_flow_id,
            credential=_credential(self.credential),
            follows=self.follows,
            started=self.started,
            duration_ms=(
                round(max(0.0, ended - self.started) * 1000, 3) if ended is not None else None
            ),
            timings=self.timings,
            size=self.size,
            media_type=self.media_type,
            manifest=self.manifest,
            blob_verified=self.blob_verified,
            findings=findings,
        )


def seen(
    ex: Exchange, rec: Recorded, follows: str | None, blob_verified: bool | None = None
) -> Seen:
    """What the report keeps of an exchange (its light form; see `Seen.record`)."""
    api = ex.api
    ctype = (ex.resp("content-type") or "").split(";")[0].strip()
    manifest = None
    if api.kind is Kind.MANIFEST and ex.method == "GET" and ex.status == 200:
        manifest = parse_manifest(ex.resp_body, ctype)
    flow = rec.auth_flow
    return Seen(
        ex.id,
        ex.client,
        ex.method,
        ex.url,
        ex.started,
        ex.ended,
        ex.status,
        ex.resp_size,
        ex.error,
        ex.timings,
        ex.parts,
        api,
        rec.step,
        flow.id if flow is not None else None,
        rec.credential,
        follows,
        manifest,
        ctype[:200],
        blob_verified,
    )


def _credential(cred: Credential | None) -> str:
    if cred is None:
        return ""
    if cred.is_basic:
        return f"Basic {scrub(cred.username or '')}".strip()
    return f"{scrub(cred.scheme)} {cred.fingerprint}"
