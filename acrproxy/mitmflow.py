"""Exchanges from mitmproxy flows (live, or read from a `mitmdump -w` file)."""

from __future__ import annotations

import functools

from mitmproxy import http
from mitmproxy.net.http import url as mitmurl

from acrproxy.exchange import Exchange, Timings, clean
from acrproxy.note import METADATA_KEY, read_note
from acrproxy.sensitive import STREAM_THRESHOLD


def _headers(h: http.Headers) -> list[tuple[str, str]]:
    items = h.items(multi=True)  # type: ignore[no-untyped-call]
    return [(clean(k.lower()), clean(v)) for k, v in items]


def from_flow(flow: http.HTTPFlow, body_limit: int = STREAM_THRESHOLD) -> Exchange:
    """Build an Exchange from a mitmproxy HTTP flow; streamed or large bodies are left out."""
    req = flow.request
    client = ""
    if flow.client_conn and flow.client_conn.peername:
        client = str(flow.client_conn.peername[0])
    url = f"https://{req.host}:{req.port}/" if req.method == "CONNECT" else pretty_url(req)
    ex = Exchange(
        id=flow.id,
        method=clean(req.method),
        url=clean(url),
        client=client,
        started=req.timestamp_start,
        req_headers=_headers(req.headers),
    )
    if req.raw_content is not None and len(req.raw_content) <= body_limit:
        ex.req_body = _content(req, ex.req_headers)
    stream = read_note(flow.metadata).stream if METADATA_KEY in flow.metadata else None
    resp = flow.response
    if resp is not None:
        ex.status = resp.status_code
        ex.reason = clean(resp.reason)
        ex.resp_headers = _headers(resp.headers)
        ex.ended = resp.timestamp_end or resp.timestamp_start
        if resp.raw_content is not None:
            ex.resp_size = len(resp.raw_content)
            if len(resp.raw_content) <= body_limit:
                ex.resp_body = _content(resp, ex.resp_headers)
        else:
            if stream is not None:
                ex.resp_size, ex.body_sha256 = stream.response_size, stream.response_sha256
            if ex.resp_size is None and resp.headers.get("content-length", "").isdigit():
                ex.resp_size = int(resp.headers["content-length"])
    if flow.error is not None:
        ex.error = clean(flow.error.msg)
        ex.ended = ex.ended or flow.error.timestamp
    ex.timings = _timings(flow)
    return ex


def pretty_url(req: http.Request) -> str:
    """`req.pretty_url` (the URL with the Host header's authority) of a request other than a
    CONNECT, with the scheme and authority part remembered: clients repeat a few hosts, and
    mitmproxy parses the Host header again on every call."""
    path = req.path if req.path != "*" else ""
    host_header = req.host_header
    if len(host_header or req.host) > 300:  # not a host name: not worth remembering
        return req.pretty_url
    if not host_header:
        return _origin(req.scheme, req.host, req.port) + path
    return _pretty_origin(req.scheme, host_header) + path


@functools.lru_cache(maxsize=256)
def _origin(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{mitmurl.hostport(scheme, host, port)}"


@functools.lru_cache(maxsize=256)
def _pretty_origin(scheme: str, host_header: str) -> str:
    host, port = mitmurl.parse_authority(host_header, check=False)
    return _origin(scheme, host, port or mitmurl.default_port(scheme) or 443)


def _content(message: http.Message, headers: list[tuple[str, str]]) -> bytes | None:
    """The body, decoded when it is content-encoded (raw bytes when it cannot be decoded)."""
    if not any(k == "content-encoding" for k, _ in headers):
        return message.raw_content  # the common case: nothing to decode, no header look-ups
    try:
        return message.get_content(strict=False)
    except ValueError:
        return message.raw_content


def _ms(start: float | None, end: float | None) -> float | None:
    if not start or not end or end < start:
        return None
    return round((end - start) * 1000, 3)


def _timings(flow: http.HTTPFlow) -> Timings:
    """The phases of one exchange, from mitmproxy's timestamps (as its HAR export reads them)."""
    req, resp, server = flow.request, flow.response, flow.server_conn
    fresh = bool(
        server and server.timestamp_start and server.timestamp_start >= req.timestamp_start
    )
    return Timings(  # plain floats computed here
        connect=_ms(server.timestamp_start, server.timestamp_tcp_setup) if fresh else None,
        tls=_ms(server.timestamp_tcp_setup, server.timestamp_tls_setup) if fresh else None,
        send=_ms(req.timestamp_start, req.timestamp_end),
        wait=_ms(req.timestamp_end, resp.timestamp_start) if resp else None,
        receive=_ms(resp.timestamp_start, resp.timestamp_end) if resp else None,
    )


def from_failed_connect(flow: http.HTTPFlow) -> Exchange:
    """A CONNECT the proxy could not complete upstream: no response from the server."""
    ex = from_flow(flow, body_limit=0)
    if ex.error is None and flow.response is not None:
        text = (flow.response.get_content(strict=False) or b"")[:300].decode("utf-8", "replace")
        ex.error = text.strip() or f"CONNECT failed with {flow.response.status_code}"
    ex.status, ex.resp_headers, ex.resp_size = None, [], None
    return ex
