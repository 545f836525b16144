"""Print one line per registry request, a tree per completed auth flow, and findings, live."""

from __future__ import annotations

import logging
import sys

from mitmproxy import ctx, http, tls
from rich.console import Console

from acrproxy.authflow import AuthFlow
from acrproxy.certs import ca_cert_path, secure_confdir
from acrproxy.exchange import from_flow
from acrproxy.findings import Finding
from acrproxy.view import auth_flow_tree, banner, finding_text, request_line

logger = logging.getLogger(__name__)


class LiveView:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(file=sys.stdout, soft_wrap=True, highlight=False)
        self._failed = False

    def load(self, loader) -> None:  # noqa: ANN001
        loader.add_option(
            "acrproxy_view", bool, True,
            "Print registry requests, auth flows and findings to the terminal as they happen.",
        )

    def running(self) -> None:
        confdir = ctx.options.confdir
        secure_confdir(confdir)
        if ctx.options.acrproxy_view:
            host = ctx.options.listen_host or "0.0.0.0"
            port = ctx.options.listen_port or 8080
            self.console.print(banner(host, port, str(ca_cert_path(confdir))))
            self.console.file.flush()

    def response(self, flow: http.HTTPFlow) -> None:
        if not ctx.options.acrproxy_view:
            return
        try:
            meta = flow.metadata.get("acrproxy") or {}
            self.console.print(request_line(from_flow(flow, body_limit=0), meta))
            for raw in meta.get("auth_flows", []):
                self.console.print(auth_flow_tree(AuthFlow.model_validate(raw)))
            for raw in meta.get("finding_details", []):
                self.console.print(finding_text(Finding.model_validate(raw)))
            self.console.file.flush()
        except Exception as e:  # the view must never break a proxied flow
            if not self._failed:
                self._failed = True
                logger.warning("acrproxy: live view failed (%s: %s)", type(e).__name__, e)

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def http_connect_error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        analyzer = ctx.master.addons.get("analyzer")
        if not ctx.options.acrproxy_view or analyzer is None or not analyzer.tls_findings:
            return
        while analyzer.tls_findings:
            f: Finding = analyzer.tls_findings.pop(0)
            self.console.print(finding_text(f))
        self.console.file.flush()
