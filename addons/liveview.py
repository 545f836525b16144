"""Print one line per registry request, a tree per completed auth flow, and findings, live.

A flow is printed when the analyzer announces it (`acrproxy_analyzed`), with its note.
"""

from __future__ import annotations

import logging
import sys

from mitmproxy import ctx, http
from mitmproxy.addonmanager import Loader
from rich.console import Console

from acrproxy.addons.guard import Guard
from acrproxy.addons.progress import Transfers
from acrproxy.certs import ca_cert_path, secure_confdir
from acrproxy.exchange import Exchange
from acrproxy.mitmflow import from_flow
from acrproxy.note import ExchangeNote, read_note
from acrproxy.output.terminal import auth_flow_tree, banner, finding_text, request_line
from acrproxy.output.terminal import console as terminal_console
from acrproxy.streaming import Hasher

logger = logging.getLogger(__name__)


class LiveView:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or terminal_console(sys.stdout)
        self.guard = Guard(logger)
        self.transfers = Transfers(self.console)

    def load(self, loader: Loader) -> None:
        loader.add_option(
            "acrproxy_view",
            bool,
            True,
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

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        """In a terminal: a progress line for a blob that streams (the streamer ran first)."""
        resp = flow.response
        if resp is None or not isinstance(resp.stream, Hasher) or not self.console.is_terminal:
            return
        if not ctx.options.acrproxy_view:
            return
        with self.guard.contain("progress"):
            length = resp.headers.get("content-length", "")
            total = int(length) if length.isdigit() else None
            self.transfers.begin(flow.id, flow.request.path, total, resp.stream)

    def response(self, flow: http.HTTPFlow) -> None:
        if self.transfers.by_flow:
            with self.guard.contain("progress"):
                self.transfers.end(flow.id)

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def acrproxy_analyzed(self, flow: http.HTTPFlow) -> None:
        """A flow and its analysis (the analyzer announces it once the note is written)."""
        if not ctx.options.acrproxy_view:
            return
        with self.guard.contain("live view"):
            note = read_note(flow.metadata)
            self.console.print(request_line(from_flow(flow, body_limit=0), note))
            for af in note.completed_auth_flows:
                self.console.print(auth_flow_tree(af))
            for f in note.findings:
                self.console.print(finding_text(f))
            self.console.file.flush()

    def acrproxy_exchange(self, exchange: Exchange, note: ExchangeNote) -> None:
        """An exchange outside any flow (see addons/events.py)."""
        if not ctx.options.acrproxy_view:
            return
        with self.guard.contain("live view"):
            self.console.print(request_line(exchange, note))
            for f in note.findings:
                self.console.print(finding_text(f))
            self.console.file.flush()
