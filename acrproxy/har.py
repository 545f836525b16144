"""HAR export: mitmproxy's own entries (savehar), completed for registry traffic, written so that
the file on disk is a complete HAR after every flow (crash-safe: kill -9 loses nothing written)."""

from __future__ import annotations

import base64
import datetime
import errno
import hashlib
import json
import os
from typing import IO, Any

from mitmproxy import http
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.utils import strutils

from acrproxy import __version__
from acrproxy.exchange import Exchange, clean_tree
from acrproxy.note import ExchangeNote, StreamRecord, read_note
from acrproxy.redact import Redactor
from acrproxy.sensitive import STREAM_THRESHOLD


class _IdSet:
    """What savehar's `servers_seen` needs, holding connection ids instead of connections."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def __contains__(self, conn: object) -> bool:
        return getattr(conn, "id", None) in self.ids

    def add(self, conn: object) -> None:
        self.ids.add(str(getattr(conn, "id", "")))


class EntryBuilder:
    """Builds one HAR entry per flow with savehar, then completes and (by default) redacts it."""

    def __init__(self, redact: bool = True, body_limit: int = STREAM_THRESHOLD) -> None:
        self._savehar = SaveHar()
        self._seen = _IdSet()
        self.redactor = Redactor() if redact else None
        self.body_limit = body_limit

    def entry(self, flow: http.HTTPFlow) -> dict[str, Any]:
        """The finished entry: built, then redacted (unless redaction is off)."""
        return self.finish(self.build(flow))

    def build(self, flow: http.HTTPFlow) -> dict[str, Any]:
        """The entry as savehar makes it, completed; cheap (the proxy's event loop runs it)."""
        entry: dict[str, Any] = self._savehar.flow_entry(flow, self._seen)  # type: ignore[arg-type]
        note = read_note(flow.metadata)
        stream = note.stream or StreamRecord()
        _request_body(entry["request"], flow.request, stream, self.body_limit)
        if flow.response is not None:
            _response_body(entry["response"], flow.response, stream, self.body_limit)
        else:  # a failed flow: HAR still requires content's size and mimeType
            entry["response"]["content"] = {"size": 0, "mimeType": ""}
        analysis = note.model_dump(mode="json", exclude={"stream"}, exclude_defaults=True)
        if analysis:
            entry["_acrproxy"] = analysis
        return entry

    def finish(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Redact a built entry (the costly part: linear in its size, run off the event loop).

        Undecodable bytes (lone surrogates) become U+FFFD, so every HAR reader can read it.
        """
        if self.redactor is not None:
            self.redactor.entry(entry)
            entry.setdefault("_acrproxy", {})["redacted"] = True
        cleaned: dict[str, Any] = clean_tree(entry)
        return cleaned


def exchange_entry(ex: Exchange, note: ExchangeNote) -> dict[str, Any]:
    """A HAR entry for an exchange that no mitmproxy flow carries (a rejected TLS handshake)."""
    started = datetime.datetime.fromtimestamp(ex.started, datetime.UTC).isoformat()
    entry: dict[str, Any] = {
        "startedDateTime": started,
        "time": 0,
        "request": {
            "method": ex.method,
            "url": ex.url,
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "queryString": [],
            "headersSize": -1,
            "bodySize": -1,
        },
        "response": {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_error": ex.error,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_acrproxy": note.model_dump(mode="json", exclude={"stream"}, exclude_defaults=True),
    }
    return entry


def _leave_out(target: dict[str, Any], size: int | None, sha256: str | None, why: str) -> None:
    target["text"] = ""
    target["_size"] = size
    target["_sha256"] = sha256
    target["comment"] = f"body left out ({why}); size and sha256 recorded"


def _request_body(req: dict[str, Any], r: http.Request, stream: StreamRecord, limit: int) -> None:
    post = req.get("postData")
    if post is None:
        return
    raw = r.raw_content
    if raw is None:
        req["bodySize"] = stream.request_size or 0
        _leave_out(post, stream.request_size, stream.request_sha256, "streamed")
        post["params"] = []
    elif len(raw) > limit:
        _leave_out(post, len(raw), "sha256:" + hashlib.sha256(raw).hexdigest(), "large")
        post["params"] = []
    elif raw and strutils.is_mostly_bin(raw):
        post["text"] = base64.b64encode(raw).decode()
        post["_encoding"] = "base64"
        post["params"] = []
    elif post.get("text") is None:
        post["text"] = ""


def _response_body(
    resp: dict[str, Any], r: http.Response, stream: StreamRecord, limit: int
) -> None:
    content = resp["content"]
    raw = r.raw_content
    if raw is None:
        size = stream.response_size
        resp["bodySize"] = size if size is not None else -1
        content["size"] = size if size is not None else 0
        _leave_out(content, size, stream.response_sha256, "streamed")
    elif len(raw) > limit:
        _leave_out(content, len(raw), "sha256:" + hashlib.sha256(raw).hexdigest(), "large")
        content.pop("encoding", None)


class HarFile:
    """A HAR file kept complete on disk: each entry is written with the closing brackets in one
    write, and the next entry overwrites those brackets.

    A write cut short (disk full, a file-size limit) is rolled back: the brackets are put back
    after the last complete entry and the file is cut there, so it stays a valid HAR; `add`
    then raises OSError and the caller decides whether to warn.
    """

    _TAIL = b"\n]}}\n"

    def __init__(self, path: str) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also when the file existed: it may hold credentials
        self._f: IO[bytes] = os.fdopen(fd, "wb")
        head = {
            "version": "1.2",
            "creator": {"name": "acrproxy", "version": __version__},
            "pages": [],
        }
        prefix = json.dumps({"log": head})[:-2] + ', "entries": [\n'
        self._f.write(prefix.encode())
        self._pos = self._f.tell()
        self._f.write(self._TAIL)
        self._f.flush()
        self.count = 0
        self.dropped = 0

    def add(self, entry: dict[str, Any]) -> None:
        data = (b",\n" if self.count else b"") + json.dumps(entry).encode() + self._TAIL
        fd = self._f.fileno()
        try:
            written = os.pwrite(fd, data, self._pos)
            if written != len(data):
                raise OSError(errno.ENOSPC, "short write")
        except OSError:
            self.dropped += 1
            self._rollback()
            raise
        self._pos += len(data) - len(self._TAIL)
        self.count += 1

    def _rollback(self) -> None:
        """Back to the last complete entry (best effort: the brackets were there before)."""
        fd = self._f.fileno()
        try:
            os.pwrite(fd, self._TAIL, self._pos)
            os.ftruncate(fd, self._pos + len(self._TAIL))
        except OSError:
            pass

    def close(self) -> None:
        self._f.close()
