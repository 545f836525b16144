"""Which bodies to stream, and a chunk hasher that measures them as they pass."""

from __future__ import annotations

import hashlib
import queue
import threading

from acrproxy.registry_api import Kind, parse_path
from acrproxy.sensitive import BLOB_STREAM_MIN

_BUFFERED_TYPES = ("json", "manifest", "text/", "xml")


def parse_size(value: str) -> int:
    """`1m`, `512k`, `2g` or a plain number of bytes."""
    v = value.strip().lower()
    mult = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(v[-1:], 1)
    digits = v[:-1] if mult != 1 else v
    if not digits.isdigit():
        raise ValueError(f"not a size: {value!r} (use e.g. 1m, 512k)")
    return int(digits) * mult


def should_stream(
    content_length: str | None, content_type: str | None, path: str, threshold: int
) -> bool:
    """Stream large bodies and blobs; keep small manifests, tokens and errors for analysis."""
    length = int(content_length) if content_length and content_length.isdigit() else None
    if length is not None and length <= min(threshold, BLOB_STREAM_MIN):
        return False  # small whatever it is (most responses: no need to look at the path)
    # Registry blob and upload paths, and storage hosts' blob paths (after the registry's 307).
    blob = parse_path(path).kind in (Kind.BLOB, Kind.UPLOAD) or "/blobs/" in path
    if length is not None:
        return length > threshold or (blob and length > BLOB_STREAM_MIN)
    ctype = (content_type or "").lower()
    return not any(t in ctype for t in _BUFFERED_TYPES) or blob


BACKLOG = 16
"""Chunks a hashing worker may fall behind by; past that the stream waits for it (as it did
when it hashed itself), so finishing a stream never waits for more than a few chunks."""


class Hasher:
    """A mitmproxy stream callable: passes chunks through unchanged, counting and hashing them.

    `size` counts bytes as they pass (so a transfer cut short still shows what arrived). The
    sha256 runs on a worker thread of its own, fed the chunks in order: hashlib releases the GIL
    for large buffers, so the hashing uses another core instead of holding up the event loop.
    `sha256` is set when the body is complete (the empty end-of-stream chunk); `close()` ends
    the worker of a transfer that never completes.
    """

    __slots__ = ("_sha", "size", "sha256", "_queue", "_worker")

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.sha256: str | None = None
        self._queue: queue.Queue[bytes | None] | None = None
        self._worker: threading.Thread | None = None

    def _hash(self) -> None:
        assert self._queue is not None
        while (chunk := self._queue.get()) is not None:
            self._sha.update(chunk)

    def __call__(self, chunk: bytes) -> bytes:
        if chunk:
            self.size += len(chunk)
            if self._queue is None:
                self._queue = queue.Queue(maxsize=BACKLOG)
                self._worker = threading.Thread(
                    target=self._hash, daemon=True, name="acrproxy-sha256"
                )
                self._worker.start()
            self._queue.put(chunk)
        elif self.sha256 is None:
            self.close()
            self.sha256 = "sha256:" + self._sha.hexdigest()
        return chunk

    def close(self) -> None:
        """Stop the worker once it has hashed what it was given (idempotent)."""
        if self._queue is not None and self._worker is not None:
            self._queue.put(None)
            self._worker.join()
            self._queue = self._worker = None
