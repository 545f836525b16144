"""Write every flow to a HAR file as it completes (redacted unless told otherwise).

Entries are written when the analyzer announces a flow (`acrproxy_analyzed`), so they carry its
note; without the analyzer loaded, no entry is written.

The entry is built on the event loop (cheap: savehar's own code), then redacted and written by
one worker thread, in order, so a large or hostile body never holds up other clients.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from mitmproxy import ctx, exceptions, http
from mitmproxy.addonmanager import Loader

from acrproxy.addons.guard import Guard
from acrproxy.exchange import Exchange
from acrproxy.har import EntryBuilder, HarFile, exchange_entry
from acrproxy.note import ExchangeNote
from acrproxy.streaming import parse_size

logger = logging.getLogger(__name__)


class HarWriter:
    def __init__(self) -> None:
        self.file: HarFile | None = None
        self.builder = EntryBuilder()
        self.guard = Guard(logger)
        self._pool: ThreadPoolExecutor | None = None
        self._last: Future[None] | None = None

    def load(self, loader: Loader) -> None:
        loader.add_option(
            "acrproxy_har",
            str,
            "",
            "Write a HAR 1.2 file of the capture here, entry by entry as flows complete; the file "
            "is complete on disk after every flow.",
        )
        loader.add_option(
            "acrproxy_redact",
            bool,
            True,
            "Redact secrets in exports (tokens keep their claims, other secrets become "
            "fingerprints). Turning it off writes credentials to disk.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_redact" in updated or "acrproxy_stream_threshold" in updated:
            try:
                limit = parse_size(ctx.options.acrproxy_stream_threshold)
            except (AttributeError, ValueError):  # alone, or refused by the streamer
                limit = self.builder.body_limit
            self.flush()
            self.builder = EntryBuilder(redact=ctx.options.acrproxy_redact, body_limit=limit)
        if "acrproxy_redact" in updated:
            if not ctx.options.acrproxy_redact:
                logger.warning("acrproxy: redaction is OFF: exports will contain credentials")
        if "acrproxy_har" in updated:
            self._close()
            if ctx.options.acrproxy_har:
                try:
                    self.file = HarFile(ctx.options.acrproxy_har)
                except OSError as e:
                    raise exceptions.OptionsError(f"Cannot write acrproxy_har: {e}") from e
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="acrproxy-har")

    def acrproxy_analyzed(self, flow: http.HTTPFlow) -> None:
        if self.file is None or self._pool is None or flow.websocket is not None:
            return
        with self.guard.contain("HAR entry"):
            entry = self.builder.build(flow)
            self._last = self._pool.submit(self._write, self.file, entry)

    def _write(self, file: HarFile, entry: dict[str, Any]) -> None:
        with self.guard.contain("HAR entry"):
            entry = self.builder.finish(entry)
            try:
                file.add(entry)
            except OSError as e:
                if file.dropped == 1:
                    logger.warning(
                        "acrproxy: cannot write the HAR (%s); it stays valid up to the last "
                        "complete entry, and later entries are tried again",
                        e.strerror or e,
                    )

    def acrproxy_exchange(self, exchange: Exchange, note: ExchangeNote) -> None:
        """An exchange no flow carries (a rejected TLS handshake): into the trace too."""
        if self.file is None or self._pool is None:
            return
        with self.guard.contain("HAR entry"):
            self._last = self._pool.submit(self._write, self.file, exchange_entry(exchange, note))

    def flush(self) -> None:
        """Wait until every entry handed over so far is on disk."""
        if self._last is not None:
            self._last.result()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self.file is not None:
            self.file.close()
            self.file = None

    def done(self) -> None:
        self._close()
