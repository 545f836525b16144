"""A request/response pair as the core sees it: plain data, built from a mitmproxy flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from mitmproxy import http

SMALL_BODY = 1024 * 1024
"""Bodies up to this size are kept for analysis (manifests, token and error bodies)."""


@dataclass(slots=True)
class Exchange:
    """One HTTP request with its response or error. Header names are lower-case."""

    id: str
    method: str
    url: str
    client: str = ""
    started: float = 0.0
    ended: float | None = None
    req_headers: list[tuple[str, str]] = field(default_factory=list)
    req_body: bytes | None = None
    status: int | None = None
    reason: str = ""
    resp_headers: list[tuple[str, str]] = field(default_factory=list)
    resp_body: bytes | None = None
    resp_size: int | None = None
    body_sha256: str | None = None
    error: str | None = None

    def req(self, name: str) -> str | None:
        for k, v in self.req_headers:
            if k == name:
                return v
        return None

    def resp(self, name: str) -> str | None:
        for k, v in self.resp_headers:
            if k == name:
                return v
        return None

    def resp_all(self, name: str) -> list[str]:
        return [v for k, v in self.resp_headers if k == name]

    @property
    def parts(self):  # noqa: ANN201 - urllib's SplitResult
        return urlsplit(self.url)

    @property
    def host(self) -> str:
        return self.parts.hostname or ""

    @property
    def path(self) -> str:
        p = self.parts
        return p.path + ("?" + p.query if p.query else "")

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else max(0.0, self.ended - self.started)


def _headers(h: http.Headers) -> list[tuple[str, str]]:
    return [(k.lower(), v) for k, v in h.items(multi=True)]


def from_flow(flow: http.HTTPFlow, body_limit: int = SMALL_BODY) -> Exchange:
    """Build an Exchange from a mitmproxy HTTP flow; streamed or large bodies are left out."""
    req = flow.request
    client = ""
    if flow.client_conn and flow.client_conn.peername:
        client = str(flow.client_conn.peername[0])
    url = f"https://{req.host}:{req.port}/" if req.method == "CONNECT" else req.pretty_url
    ex = Exchange(
        id=flow.id,
        method=req.method,
        url=url,
        client=client,
        started=req.timestamp_start,
        req_headers=_headers(req.headers),
    )
    if req.raw_content is not None and len(req.raw_content) <= body_limit:
        try:
            ex.req_body = req.get_content(strict=False)
        except ValueError:
            ex.req_body = req.raw_content
    meta = (flow.metadata.get("acrproxy") or {}).get("stream") or {}
    resp = flow.response
    if resp is not None:
        ex.status = resp.status_code
        ex.reason = resp.reason
        ex.resp_headers = _headers(resp.headers)
        ex.ended = resp.timestamp_end or resp.timestamp_start
        if resp.raw_content is not None:
            ex.resp_size = len(resp.raw_content)
            if len(resp.raw_content) <= body_limit:
                try:
                    ex.resp_body = resp.get_content(strict=False)
                except ValueError:
                    ex.resp_body = resp.raw_content
        else:
            ex.resp_size = meta.get("response_size")
            ex.body_sha256 = meta.get("response_sha256")
            if ex.resp_size is None and resp.headers.get("content-length", "").isdigit():
                ex.resp_size = int(resp.headers["content-length"])
    if flow.error is not None:
        ex.error = flow.error.msg
        ex.ended = ex.ended or flow.error.timestamp
    return ex


def from_failed_connect(flow: http.HTTPFlow) -> Exchange:
    """A CONNECT the proxy could not complete upstream: no response from the server."""
    ex = from_flow(flow, body_limit=0)
    if ex.error is None and flow.response is not None:
        text = (flow.response.get_content(strict=False) or b"")[:300].decode("utf-8", "replace")
        ex.error = text.strip() or f"CONNECT failed with {flow.response.status_code}"
    ex.status, ex.resp_headers, ex.resp_size = None, [], None
    return ex
