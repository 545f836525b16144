"""Feed every completed flow to the core analysis; annotate flows; write the report on exit.

The analysis runs just after mitmproxy has passed the response on, not before: a completed flow
is queued and analysed on the next turn of the event loop, in completion order, so a response is
never held up by acrproxy's work (which overlaps with the client reading it). Then the
`acrproxy_analyzed` event tells the HAR writer and the live view that the flow's note is there.
Without a running loop (tests, scripts) a flow is analysed at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from mitmproxy import ctx, exceptions, hooks, http, tls
from mitmproxy.addonmanager import Loader

from acrproxy.addons.events import AcrproxyAnalyzedHook, AcrproxyExchangeHook, Announcer
from acrproxy.addons.guard import Guard
from acrproxy.analysis import Session
from acrproxy.checks.tls import is_trust_failure, rejected_handshake
from acrproxy.mitmflow import from_failed_connect, from_flow
from acrproxy.note import METADATA_KEY, ExchangeNote, read_note, write_note
from acrproxy.output import Format, write_report
from acrproxy.sensitive import STREAM_THRESHOLD
from acrproxy.streaming import parse_size

logger = logging.getLogger(__name__)


class Analyzer:
    def __init__(self) -> None:
        self.session = Session()
        self.guard = Guard(logger)
        self.announce = Announcer(self.guard)
        self.body_limit = STREAM_THRESHOLD
        self._queue: deque[tuple[http.HTTPFlow, bool]] = deque()
        self._scheduled = False

    def load(self, loader: Loader) -> None:
        loader.add_option(
            "acrproxy_report",
            str,
            "",
            "Write acrproxy's JSON report (findings and auth flows) to this path on exit.",
        )
        loader.add_option(
            "acrproxy_slow_after",
            str,
            "10",
            "Seconds an upstream may take to connect, to finish TLS or to send headers before "
            "acrproxy reports it as slow (UPSTREAM_SLOW).",
        )
        loader.add_option(
            "acrproxy_html",
            str,
            "",
            "Write acrproxy's HTML report (story, sequence diagrams, requests) here on exit.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_slow_after" in updated:
            try:
                seconds = float(ctx.options.acrproxy_slow_after)
            except ValueError:
                seconds = 0.0
            if not seconds > 0:
                raise exceptions.OptionsError("acrproxy_slow_after must be a positive number")
            self.session.slow_after = seconds
        if "acrproxy_stream_threshold" in updated:
            try:
                self.body_limit = parse_size(ctx.options.acrproxy_stream_threshold)
            except ValueError:
                pass  # the streamer refuses the option

    def response(self, flow: http.HTTPFlow) -> None:
        self._later(flow, connect_error=False)

    def error(self, flow: http.HTTPFlow) -> None:
        self._later(flow, connect_error=False)

    def http_connect_error(self, flow: http.HTTPFlow) -> None:
        self._later(flow, connect_error=True)

    def _later(self, flow: http.HTTPFlow, connect_error: bool) -> None:
        self._queue.append((flow, connect_error))
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.drain()
        else:
            self._scheduled = True
            loop.call_soon(self.drain)

    def drain(self) -> None:
        """Analyse the queued flows, oldest first, and announce each."""
        self._scheduled = False
        while self._queue:
            flow, connect_error = self._queue.popleft()
            with self.guard.contain("analysis"):
                ex = (
                    from_failed_connect(flow) if connect_error else from_flow(flow, self.body_limit)
                )
                note = self.session.feed(ex)
                if annotate(flow, note):
                    ctx.master.addons.trigger(hooks.UpdateHook([flow]))  # mitmweb shows the mark
            self.announce(ctx.master, AcrproxyAnalyzedHook(flow))

    def tls_failed_client(self, data: tls.TlsData) -> None:
        with self.guard.contain("tls analysis"):
            client = data.context.client
            error = client.error or data.conn.error or "handshake failed"
            if not is_trust_failure(error):
                return
            host = client.sni or (data.context.server.address or ("?",))[0]
            peer = client.peername[0] if client.peername else "?"
            at = client.timestamp_start or time.time()
            ex = rejected_handshake(client.id, str(peer), str(host), error, at)
            self.drain()  # keep the session in completion order
            self.announce(ctx.master, AcrproxyExchangeHook(ex, self.session.feed(ex)))

    def done(self) -> None:
        self.drain()
        outputs = (
            (ctx.options.acrproxy_report, Format.JSON),
            (ctx.options.acrproxy_html, Format.HTML),
        )
        wanted = [(path, fmt) for path, fmt in outputs if path]
        if wanted:
            report = self.session.report()
            for path, fmt in wanted:
                with self.guard.contain(f"{fmt.value} report"):
                    write_report(report, path, fmt)


def annotate(flow: http.HTTPFlow, analysis: ExchangeNote) -> bool:
    """Attach the analysis to the flow as its note; mark and comment flows with findings
    (mitmweb shows both). True when the flow was marked."""
    if METADATA_KEY in flow.metadata:  # the streamer's record of a streamed body
        analysis.stream = read_note(flow.metadata).stream
    write_note(flow.metadata, analysis)
    if analysis.findings:
        flow.marked = ":warning:"
        text = "; ".join(f"{f.code}: {f.detail or f.title}" for f in analysis.findings)
        flow.comment = f"{flow.comment}\n{text}" if flow.comment else text
        return True
    return False
