"""Write every flow to a HAR file as it completes (redacted unless told otherwise)."""

from __future__ import annotations

import logging

from mitmproxy import ctx, exceptions, http

from acrproxy.har import EntryBuilder, HarFile

logger = logging.getLogger(__name__)


class HarWriter:
    def __init__(self) -> None:
        self.file: HarFile | None = None
        self.builder = EntryBuilder()
        self._failed: set[str] = set()

    def load(self, loader) -> None:  # noqa: ANN001
        loader.add_option(
            "acrproxy_har", str, "",
            "Write a HAR 1.2 file of the capture here, entry by entry as flows complete; the file "
            "is complete on disk after every flow.",
        )
        loader.add_option(
            "acrproxy_redact", bool, True,
            "Redact secrets in exports (tokens keep their claims, other secrets become "
            "fingerprints). Turning it off writes credentials to disk.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_redact" in updated:
            self.builder = EntryBuilder(redact=ctx.options.acrproxy_redact)
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
        try:
            self.file.add(self.builder.entry(flow))
        except Exception as e:  # an export bug must never break a proxied flow
            kind = type(e).__name__
            if kind not in self._failed:
                self._failed.add(kind)
                logger.warning("acrproxy: HAR entry failed (%s: %s)", kind, e, exc_info=True)

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def http_connect_error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def done(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
