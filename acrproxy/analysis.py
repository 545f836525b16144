"""The analysis session: the auth-flow recorder, the checks, and de-duplication of findings."""

from __future__ import annotations

from collections.abc import Sequence

from acrproxy.authflow import Lru, Recorder
from acrproxy.checks import CHECKS, Check, Context
from acrproxy.checks.state import IssuedTokens, RedirectChains
from acrproxy.checks.tls import client_rejected_proxy_ca
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Finding
from acrproxy.note import ExchangeNote
from acrproxy.report import Report
from acrproxy.sensitive import MAX_EXCHANGES_PER_FINDING, MAX_FINDINGS, MAX_TRACKED


class Session:
    """One capture's analysis. Not thread-safe; feed exchanges in completion order.

    Bounded by count (see `acrproxy.sensitive`): a long capture keeps the newest auth flows,
    the first distinct findings, and a limited number of hosts and pending state.
    """

    def __init__(self, checks: Sequence[Check] = CHECKS) -> None:
        self.recorder = Recorder()
        self.redirects = RedirectChains()
        self.issued = IssuedTokens()
        self.checks = tuple(checks)
        self._findings: dict[tuple[Code, str], Finding] = {}
        self.dropped_findings = 0
        self.requests = 0
        self.hosts: Lru[str, None] = Lru(MAX_TRACKED)

    @property
    def findings(self) -> list[Finding]:
        return list(self._findings.values())

    def _add(self, finding: Finding) -> bool:
        """Keep a finding; an occurrence already known only adds its exchanges. True if new."""
        k = (finding.code, finding.key)
        known = self._findings.get(k)
        if known is None:
            if len(self._findings) >= MAX_FINDINGS:
                self.dropped_findings += 1
                return False
            self._findings[k] = finding
            return True
        more = [i for i in finding.exchanges if i not in known.exchanges]
        room = MAX_EXCHANGES_PER_FINDING - len(known.exchanges)
        if more and room > 0:
            merged = known.model_copy(update={"exchanges": [*known.exchanges, *more[:room]]})
            merged._key = known.key
            self._findings[k] = merged
        return False

    def feed(self, ex: Exchange) -> ExchangeNote:
        """Analyse one exchange; returns what it showed (new findings, completed auth flows)."""
        self.requests += 1
        self.hosts[ex.authority] = None
        rec = self.recorder.feed(ex)
        hop = self.redirects.arrive(ex)
        ctx = Context(
            recorded=rec,
            redirected_from=hop,
            previous_token_expiry=self.issued.previous(ex, rec),
            token_flows=self.recorder.token_flows,
        )
        new = [f for check in self.checks for f in check(ex, ctx) if self._add(f)]
        self.redirects.depart(ex, hop)
        self.issued.record(ex, rec)
        return ExchangeNote(
            step=rec.step,
            auth_flow_id=rec.auth_flow.id if rec.auth_flow else None,
            findings=new,
            completed_auth_flows=rec.completed,
        )

    def tls_failed(self, client: str, host: str, error: str, exchange_id: str = "") -> Finding:
        """Record a client that aborted TLS with the proxy (its trust store lacks our CA)."""
        finding = client_rejected_proxy_ca(client, host, error, exchange_id)
        self._add(finding)
        return finding

    def report(self) -> Report:
        return Report(
            findings=self.findings,
            auth_flows=self.recorder.flows,
            requests=self.requests,
            hosts=sorted(self.hosts),
            dropped_auth_flows=self.recorder.dropped,
            dropped_findings=self.dropped_findings,
        )
