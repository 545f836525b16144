"""Write every flow to a HAR file as it completes (redacted unless told otherwise)."""

from __future__ import annotations

import logging

from acrproxy.addons.guard import Guard
from mitmproxy import ctx, exceptions, http
from mitmproxy.addonmanager import Loader

from acrproxy.har import EntryBuilder, HarFile
from acrproxy.streaming import parse_size

logger = logging.getLogger(__name__)


class HarWriter:
    def __init__(self) -> None:
        self.file: HarFile | None = None
        self.builder = EntryBuilder()
        self.guard = Guard(logger)

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
            self.builder = EntryBuilder(redact=ctx.options.acrproxy_redact, body_limit=limit)
        if "acrproxy_redact" in updated:
            if not ctx.options.acrproxy_redact:
                logger.warning("acrproxy: redaction is OFF: exports will contain credentials")
        if "acrproxy_har" in updated:
            if self.file is not None:
                self.file.close()
                self.file = None
            if ctx.options.acrproxy_har:
                try:
                    self.file = HarFile(ctx.options.acrproxy_har)
                except OSError as e:
                    raise exceptions.OptionsError(f"Cannot write acrproxy_har: {e}") from e

    def response(self, flow: http.HTTPFlow) -> None:
        if self.file is None or flow.websocket is not None:
            return
        with self.guard.contain("HAR entry"):
            self.file.add(self.builder.entry(flow))

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def http_connect_error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def done(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
