"""Stand-ins for secrets: `sha256:1a2b3c4d` fingerprints, redaction markers, JWT shapes.

The lowest floor of the secret-handling code: `tokens` and `redact` both build on it.
"""

from __future__ import annotations

import hashlib
import re

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
