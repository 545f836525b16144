"""Read captures made anywhere into exchanges: HAR files (browsers, Fiddler, Charles, acrproxy)
and mitmproxy flow files (`mitmdump -w`).

HAR entries map straight to exchanges (header shapes through mitmproxy's own `fix_headers`),
without building full mitmproxy flows: analysis needs only the data, and 100,000 entries must
read in seconds. Flow files go through mitmproxy's FlowReader.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from mitmproxy import exceptions, http
from mitmproxy.io import FlowReader
from mitmproxy.io.har import fix_headers

from acrproxy.errors import CaptureReadError
from acrproxy.exchange import Exchange
from acrproxy.mitmflow import from_flow


def read_exchanges(path: str | Path) -> Iterator[Exchange]:
    """Yield the HTTP exchanges of a HAR or mitmproxy flow file."""
    path = Path(path)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise CaptureReadError(f"{path}: {e.strerror or e}") from e
    with f:
        head = f.read(4)
        f.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
        if head.lstrip(b"\xef\xbb\xbf").startswith(b"{"):
            yield from _har(path, f.read())
        else:
            yield from _flows(path, f)


def _har(path: Path, raw: bytes) -> Iterator[Exchange]:
    try:
        data = json.loads(raw.decode("utf-8"))
        entries = data["log"]["entries"]
        if not isinstance(entries, list):
            raise TypeError("log.entries is not a list")
    except (ValueError, UnicodeError, KeyError, TypeError, RecursionError) as e:
        raise CaptureReadError(f"{path}: not a HAR file ({type(e).__name__}: {e})") from e
    for n, entry in enumerate(entries, 1):
        try:
            yield har_exchange(entry, f"entry-{n}")
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as e:
            raise CaptureReadError(
                f"{path}: entry {n}: not a HAR entry ({type(e).__name__}: {e})"
            ) from e


def _headers(raw: Any) -> list[tuple[str, str]]:
    headers = fix_headers(raw or [])
    return [(k.lower(), v) for k, v in headers.items(multi=True)]  # type: ignore[no-untyped-call]


def _body(obj: dict[str, Any], encoding_key: str) -> bytes | None:
    text = obj.get("text")
    if not isinstance(text, str):
        return None
    if obj.get(encoding_key) == "base64":
        return base64.b64decode(text)
    return text.encode("utf-8", "surrogateescape")


def har_exchange(entry: dict[str, Any], entry_id: str) -> Exchange:
    """One HAR entry as an exchange (our `_error`, `_size`, `_sha256` fields are read too)."""
    req, resp = entry["request"], entry.get("response") or {}
    started = datetime.fromisoformat(
        str(entry["startedDateTime"]).replace("Z", "+00:00")
    ).timestamp()
    took = entry.get("time")
    ex = Exchange(
        id=entry_id,
        method=str(req["method"]),
        url=str(req["url"]),
        started=started,
        ended=started + float(took) / 1000 if isinstance(took, int | float) and took >= 0 else None,
        req_headers=_headers(req.get("headers")),
    )
    post = req.get("postData")
    if isinstance(post, dict):
        ex.req_body = _body(post, "_encoding")
    status = resp.get("status")
    if isinstance(status, int) and status > 0:
        content = resp.get("content") or {}
        ex.status = status
        ex.reason = str(resp.get("statusText") or "")
        ex.resp_headers = _headers(resp.get("headers"))
        ex.resp_body = _body(content, "encoding")
        size = content.get("_size", content.get("size"))
        ex.resp_size = (
            len(ex.resp_body) if ex.resp_body else size if isinstance(size, int) else None
        )
        ex.body_sha256 = content.get("_sha256") if isinstance(content.get("_sha256"), str) else None
    if resp.get("_error"):
        ex.error = str(resp["_error"])
    return ex


def _flows(path: Path, f: Any) -> Iterator[Exchange]:
    n = 0
    try:
        for flow in FlowReader(f).stream():
            n += 1
            if isinstance(flow, http.HTTPFlow):
                yield from_flow(flow)
    except exceptions.FlowReadException as e:
        raise CaptureReadError(f"{path}: entry {n + 1}: {e}") from e
