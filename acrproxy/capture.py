"""Read captures made anywhere into exchanges: HAR files (browsers, Fiddler, Charles, acrproxy)
and mitmproxy flow files (`mitmdump -w`).

HAR entries map straight to exchanges (header shapes through mitmproxy's own `fix_headers`),
without building full mitmproxy flows: analysis needs only the data, and 100,000 entries must
read in seconds. Flow files go through mitmproxy's FlowReader.
"""

from __future__ import annotations

import base64
import binascii
import gc
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from acrproxy.errors import CaptureReadError
from acrproxy.exchange import Exchange, Timings, clean, clean_tree, split_url

# mitmproxy's flow reading is imported where it is used: a HAR does not need it, and it is a
# tenth of a second of every `analyze`'s start.


def read_exchanges(path: str | Path) -> Iterator[Exchange]:
    """Yield the HTTP exchanges of a HAR or mitmproxy flow file (`-`: standard input)."""
    path = Path(path)
    try:
        f = open(sys.stdin.fileno(), "rb", closefd=False) if str(path) == "-" else open(path, "rb")
    except OSError as e:
        raise CaptureReadError(f"{path}: {e.strerror or e}") from e
    with f:
        try:  # peek, not seek: pipes and process substitution work too
            if f.peek(3)[:3] == b"\xef\xbb\xbf":
                f.read(3)
            har = f.peek(1)[:1] in (b"{", b" ", b"\n", b"\r", b"\t")
            text = f.read().decode("utf-8") if har else ""
        except OSError as e:
            raise CaptureReadError(f"{path}: {e.strerror or e}") from e
        except UnicodeError as e:
            raise CaptureReadError(f"{path}: not a HAR: {_why(e)}") from e
        if not har:
            yield from _flows(path, f)
            return
    thaw = gc.get_freeze_count() == 0
    entries = _entries(path, text)
    del text  # the file's text: not needed once parsed
    try:
        yield from _har(path, entries)
    finally:
        if thaw:  # a process that froze objects itself is left frozen
            gc.unfreeze()


def _entries(path: Path, text: str) -> list[Any]:
    """A HAR's `log.entries`, parsed with the cyclic garbage collector paused and then frozen
    out of its scans while the capture is read (reference counting frees it all the same).

    A JSON parse makes no reference cycles, and a big capture's millions of containers would
    otherwise be scanned again and again: while they are built, and by every collection after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = json.loads(text)
        entries = data["log"]["entries"]
        if not isinstance(entries, list):
            raise TypeError("log.entries is not a list")
        gc.freeze()  # before the collector runs again
    except (ValueError, KeyError, TypeError, RecursionError) as e:
        raise CaptureReadError(f"{path}: not a HAR: {_why(e)}") from e
    finally:
        if enabled:
            gc.enable()
    return entries


def _har(path: Path, entries: list[Any]) -> Iterator[Exchange]:
    for n, entry in enumerate(entries, 1):
        try:
            yield har_exchange(entry, f"entry-{n}")
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as e:
            raise CaptureReadError(f"{path}: not a HAR: entry {n}: {_why(e)}") from e


def _why(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"no {e.args[0]!s} field"
    return f"{type(e).__name__}: {e}"[:200]


def _headers(raw: Any) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TypeError("headers is not a list of headers")
    out = []
    for h in raw:  # the HAR shape, read directly (the fast path for big captures)
        if type(h) is not dict:
            break
        name, value = h.get("name"), h.get("value")
        if type(name) is not str or type(value) is not str:
            break
        name = name.lower()
        if not (name.isascii() and value.isascii()):
            name, value = clean(name), clean(value)
        out.append((name, value))
    else:
        return out
    if not all(isinstance(h, dict | list) for h in raw):
        raise TypeError("headers is not a list of headers")
    from mitmproxy.io.har import fix_headers

    headers = fix_headers(clean_tree(raw))
    items = headers.items(multi=True)  # type: ignore[no-untyped-call]
    return [(clean(k.lower()), clean(v)) for k, v in items]


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
    url = req["url"]
    if not isinstance(url, str) or not isinstance(req["method"], str):
        raise TypeError("request.url and request.method must be strings")
    parts = split_url(url)
    if ":" in parts.netloc:  # a port: ValueError for one no client could have sent
        _ = parts.port
    ex = Exchange(
        id=entry_id,
        method=clean(req["method"]),
        url=clean(url),
        started=started,
        ended=started + float(took) / 1000 if isinstance(took, int | float) and took >= 0 else None,
        req_headers=_headers(req.get("headers")),
    )
    if not isinstance(resp, dict):
        raise TypeError("response is not an object")
    post = req.get("postData")
    if isinstance(post, dict):
        ex.req_body = _body(post, "_encoding")
    status = resp.get("status")
    if isinstance(status, int) and status > 0:
        content = resp.get("content") or {}
        if not isinstance(content, dict):
            raise TypeError("response.content is not an object")
        ex.status = status
        ex.reason = clean(str(resp.get("statusText") or ""))
        ex.resp_headers = _headers(resp.get("headers"))
        ex.resp_body = _body(content, "encoding")
        size = content.get("_size", content.get("size"))
        ex.resp_size = (
            len(ex.resp_body) if ex.resp_body else size if isinstance(size, int) else None
        )
        ex.body_sha256 = content.get("_sha256") if isinstance(content.get("_sha256"), str) else None
    if resp.get("_error"):
        ex.error = clean(str(resp["_error"]))
    ex.timings = _timings(entry.get("timings"))
    return ex


def _timings(raw: Any) -> Timings | None:
    """HAR `timings` (milliseconds; -1 means not applicable, and so is anything not a number)."""
    if not isinstance(raw, dict):
        return None
    get = raw.get
    return Timings(
        *[
            float(v) if (type(v) is int or type(v) is float) and v >= 0 else None
            for v in (get("connect"), get("ssl"), get("send"), get("wait"), get("receive"))
        ]
    )


def _flows(path: Path, f: Any) -> Iterator[Exchange]:
    from mitmproxy import exceptions, http
    from mitmproxy.io import FlowReader

    from acrproxy.mitmflow import from_flow

    n = 0
    try:
        for flow in FlowReader(f).stream():
            n += 1
            if isinstance(flow, http.HTTPFlow):
                yield from_flow(flow)
    except exceptions.FlowReadException as e:
        raise CaptureReadError(f"{path}: entry {n + 1}: {e}") from e
