"""Feed every completed flow to the core analysis; annotate flows; write the report on exit."""

from __future__ import annotations

import logging
from pathlib import Path

from mitmproxy import ctx, http, tls

from acrproxy.analysis import Annotation, Session
from acrproxy.exchange import from_failed_connect, from_flow
from acrproxy.findings import Finding

logger = logging.getLogger(__name__)


class Analyzer:
    def __init__(self) -> None:
        self.session = Session()
        self._failures: set[str] = set()
        self.tls_findings: list[Finding] = []

    def load(self, loader) -> None:  # noqa: ANN001
        loader.add_option(
            "acrproxy_report", str, "",
            "Write acrproxy's JSON report (findings and auth flows) to this path on exit.",
        )

    def _contain(self, what: str, e: Exception) -> None:
        kind = f"{what}:{type(e).__name__}"
        if kind not in self._failures:
            self._failures.add(kind)
            logger.warning("acrproxy: %s failed (%s: %s); the flow was passed on untouched",
                           what, type(e).__name__, e, exc_info=True)

    def response(self, flow: http.HTTPFlow) -> None:
        try:
            self._analyse(flow)
        except Exception as e:  # an analysis bug must never break a proxied flow
            self._contain("analysis", e)

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def http_connect_error(self, flow: http.HTTPFlow) -> None:
        try:
            annotate(flow, self.session.feed(from_failed_connect(flow)))
        except Exception as e:
            self._contain("analysis", e)

    def _analyse(self, flow: http.HTTPFlow) -> None:
        ann = self.session.feed(from_flow(flow))
        annotate(flow, ann)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        try:
            client = data.context.client
            error = client.error or data.conn.error or "handshake failed"
            if not any(w in error.lower() for w in ("trust", "unknown ca", "certificate", "bad cert")):
                return
            host = client.sni or (data.context.server.address or ("?",))[0]
            peer = client.peername[0] if client.peername else "?"
            self.tls_findings.append(self.session.tls_failed(str(peer), str(host), error))
        except Exception as e:
            self._contain("tls analysis", e)

    def done(self) -> None:
        path = ctx.options.acrproxy_report
        if path:
            Path(path).write_text(self.session.report().model_dump_json(indent=2))


def annotate(flow: http.HTTPFlow, ann: Annotation) -> None:
    """Attach the analysis to the flow as plain JSON (so `mitmdump -w` keeps it)."""
    meta = flow.metadata.setdefault("acrproxy", {})
    meta.update(ann.to_json())
    if ann.findings:
        meta["finding_details"] = [f.model_dump(mode="json", exclude={"key"}) for f in ann.findings]
        flow.marked = ":warning:"
        note = "; ".join(f"{f.code}: {f.detail or f.title}" for f in ann.findings)
        flow.comment = f"{flow.comment}\n{note}" if flow.comment else note
    if ann.completed:
        meta["auth_flows"] = [af.model_dump(mode="json") for af in ann.completed]
