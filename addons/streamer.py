"""Stream blob and large bodies in both directions, hashing them as they pass."""

from __future__ import annotations

import logging

from mitmproxy import ctx, exceptions, http
from mitmproxy.addonmanager import Loader

from acrproxy.addons.guard import Guard
from acrproxy.note import StreamRecord, read_note, write_note
from acrproxy.sensitive import STREAM_THRESHOLD
from acrproxy.streaming import Hasher, parse_size, should_stream

logger = logging.getLogger(__name__)


class Streamer:
    def __init__(self) -> None:
        self.threshold = STREAM_THRESHOLD
        self.guard = Guard(logger)

    def load(self, loader: Loader) -> None:
        loader.add_option(
            "acrproxy_stream_threshold",
            str,
            "1m",
            "Bodies larger than this (and blobs) are streamed through, not buffered; their size "
            "and sha256 are computed on the way. Smaller bodies are analysed and exported. "
            "Suffixes k, m, g.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_stream_threshold" in updated:
            try:
                self.threshold = parse_size(ctx.options.acrproxy_stream_threshold)
            except ValueError as e:
                raise exceptions.OptionsError(f"Cannot parse acrproxy_stream_threshold: {e}") from e

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        req = flow.request
        if req.method not in ("PUT", "PATCH", "POST"):
            return
        if not (req.headers.get("content-length") or req.headers.get("transfer-encoding")):
            return
        if should_stream(
            req.headers.get("content-length"),
            req.headers.get("content-type"),
            req.path,
            self.threshold,
        ):
            req.stream = Hasher()

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        if resp is None or flow.request.method == "HEAD" or resp.status_code in (204, 304):
            return
        if should_stream(
            resp.headers.get("content-length"),
            resp.headers.get("content-type"),
            flow.request.path,
            self.threshold,
        ):
            resp.stream = Hasher()

    def response(self, flow: http.HTTPFlow) -> None:
        """Record what streamed through, once per body (before the analyzer reads it)."""
        with self.guard.contain("stream record"):
            req_hasher = flow.request.stream
            resp_hasher = flow.response.stream if flow.response is not None else None
            if not isinstance(req_hasher, Hasher) and not isinstance(resp_hasher, Hasher):
                return
            record = StreamRecord()
            if isinstance(req_hasher, Hasher):
                record.request_size, record.request_sha256 = req_hasher.size, req_hasher.sha256
            if isinstance(resp_hasher, Hasher):
                record.response_size, record.response_sha256 = resp_hasher.size, resp_hasher.sha256
            note = read_note(flow.metadata)
            note.stream = record
            write_note(flow.metadata, note)

    def error(self, flow: http.HTTPFlow) -> None:
        for side in (flow.request, flow.response):
            if side is not None and isinstance(side.stream, Hasher):
                side.stream.close()  # a transfer cut short: its worker ends here
        self.response(flow)
