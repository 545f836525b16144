"""Which bodies to stream, and a chunk hasher that measures them as they pass."""

from __future__ import annotations

import hashlib

DEFAULT_THRESHOLD = 1024 * 1024
_BUFFERED_TYPES = ("json", "manifest", "text/", "xml")


def parse_size(value: str) -> int:
    """`1m`, `512k`, `2g` or a plain number of bytes."""
    v = value.strip().lower()
    mult = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(v[-1:], 1)
    digits = v[:-1] if mult != 1 else v
    if not digits.isdigit():
        raise ValueError(f"not a size: {value!r} (use e.g. 1m, 512k)")
    return int(digits) * mult


def should_stream(content_length: str | None, content_type: str | None, path: str,
                  threshold: int) -> bool:
    """Stream large bodies and blobs; keep small manifests, tokens and errors for analysis."""
    length = int(content_length) if content_length and content_length.isdigit() else None
    if length is not None:
        return length > threshold or ("/blobs/" in path and length > 64 * 1024)
    ctype = (content_type or "").lower()
    return not any(t in ctype for t in _BUFFERED_TYPES) or "/blobs/" in path


class Hasher:
    """A mitmproxy stream callable: passes chunks through unchanged, counting and hashing them.

    It writes `<side>_size` into `record` as bytes pass (so a transfer cut short still shows what
    arrived) and `<side>_sha256` when the body is complete.
    """

    __slots__ = ("_sha", "size", "sha256", "_record", "_size_key", "_sha_key")

    def __init__(self, record: dict[str, int | str | None], side: str) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.sha256: str | None = None
        self._record = record
        self._size_key, self._sha_key = f"{side}_size", f"{side}_sha256"
        record[self._size_key] = 0

    def __call__(self, chunk: bytes) -> bytes:
        if chunk:
            self._sha.update(chunk)
            self.size += len(chunk)
            self._record[self._size_key] = self.size
        elif self.sha256 is None:
            self.sha256 = "sha256:" + self._sha.hexdigest()
            self._record[self._sha_key] = self.sha256
        return chunk
