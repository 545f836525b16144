"""Stream blob and large bodies in both directions, hashing them as they pass."""

from __future__ import annotations

import logging

from mitmproxy import ctx, exceptions, http

from acrproxy.streaming import DEFAULT_THRESHOLD, Hasher, parse_size, should_stream

logger = logging.getLogger(__name__)


class Streamer:
    def __init__(self) -> None:
        self.threshold = DEFAULT_THRESHOLD

    def load(self, loader) -> None:  # noqa: ANN001
        loader.add_option(
            "acrproxy_stream_threshold", str, "1m",
            "Bodies larger than this (and blobs) are streamed through, not buffered; their size "
            "and sha256 are computed on the way. Suffixes k, m, g.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_stream_threshold" in updated:
            try:
                self.threshold = parse_size(ctx.options.acrproxy_stream_threshold)
            except ValueError as e:
                raise exceptions.OptionsError(f"Cannot parse acrproxy_stream_threshold: {e}") from e

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        req = flow.request
        if req.method in ("PUT", "PATCH", "POST") and should_stream(
            req.headers.get("content-length"), req.headers.get("content-type"), req.path,
            self.threshold,
        ) and (req.headers.get("content-length") or req.headers.get("transfer-encoding")):
            req.stream = Hasher(_stream_record(flow), "request")

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        assert resp is not None
        if flow.request.method == "HEAD" or resp.status_code in (204, 304):
            return
        if should_stream(resp.headers.get("content-length"), resp.headers.get("content-type"),
                         flow.request.path, self.threshold):
            resp.stream = Hasher(_stream_record(flow), "response")


def _stream_record(flow: http.HTTPFlow) -> dict:
    """flow.metadata["acrproxy"]["stream"]: plain JSON, kept by `mitmdump -w`."""
    return flow.metadata.setdefault("acrproxy", {}).setdefault("stream", {})
