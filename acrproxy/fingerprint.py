"""Stand-ins for secrets: `sha256:1a2b3c4d` fingerprints, redaction markers, JWT shapes.

The lowest floor of the secret-handling code: `tokens` and `redact` both build on it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

MARKER_PREFIX = "redacted:"
_MARKER = re.compile(r"^redacted:sha256:([0-9a-f]{8})$")
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def fingerprint(secret: str) -> str:
    """A short, stable stand-in for a secret: `sha256:1a2b3c4d`.

    A JWT is fingerprinted over its header and claims only, and a redaction marker stands for
    the secret it replaced, so the same credential is recognised in raw and redacted captures.
    """
    m = _MARKER.match(secret)
    if m:
        return f"sha256:{m.group(1)}"
    if _JWT_SHAPE.match(secret):
        secret = secret.rsplit(".", 1)[0]
    return "sha256:" + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def marker(secret: str) -> str:
    """What stands for a secret in a redacted output: `redacted:sha256:1a2b3c4d`."""
    return f"{MARKER_PREFIX}{fingerprint(secret)}"


def is_marker(value: str) -> bool:
    return bool(_MARKER.match(value))


def looks_like_jwt(value: str) -> bool:
    return value.startswith("eyJ") and bool(_JWT_SHAPE.match(value))


def strip_signature(value: str) -> str:
    """A JWT without its signature: still readable, no longer usable."""
    return value.rsplit(".", 1)[0] + "."


class SecretMemo[T]:
    """Results worked out from secrets (Authorization values, token requests), remembered under
    a sha256 of their inputs: clients send the same credential again and again, and the memo
    holds no secret. Bounded (oldest first out) and thread-safe; an exception is not
    remembered. The results must be immutable: every caller gets the same one."""

    def __init__(self, size: int = 256) -> None:
        self._known: OrderedDict[bytes, T] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, parts: tuple[str | bytes, ...], make: Callable[[], T]) -> T:
        digest = hashlib.sha256()
        for part in parts:
            data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        key = digest.digest()
        with self._lock:
            known = self._known.get(key)
        if known is not None:
            return known
        value = make()
        with self._lock:
            self._known[key] = value
            if len(self._known) > self._size:
                self._known.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._known)
