"""Small helpers that turn numbers and lists into words, shared by the story formats."""

from __future__ import annotations

from collections.abc import Sequence

from acrproxy.tokenreq import TokenRequest


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return f"{n} {word[:-1]}ies"
    return f"{n} {word}s"


def sentence_list(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = [i for i in items if i]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def size(n: int | None, compact: bool = False) -> str:
    """`2.0 KiB`, `5 bytes` (compact: `2.0KiB`, `5B`, and `-` when unknown)."""
    if n is None:
        return "-" if compact else "size unknown"
    value, sep = float(n), "" if compact else " "
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            if unit == "bytes":
                return f"{n}{sep}{'B' if compact else 'bytes'}"
            return f"{value:.1f}{sep}{unit}"
        value /= 1024
    return f"{n} bytes"


def duration(seconds: float) -> str:
    s = int(abs(seconds))
    if s >= 86400:
        return f"{s // 86400}d{s % 86400 // 3600}h"
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m" + (f"{s % 60:02d}s" if s % 60 else "")
    return f"{s}s"


def token_client(req: TokenRequest) -> str:
    """How a client authenticated to a token service, in words (never the secret)."""
    fp = req.credential_fingerprint or "?"
    if req.kind == "acr_exchange":
        return f"with an Entra ID (AAD) access token {fp}"
    if req.credential == "refresh_token":
        return f"with a refresh token {fp}"
    if req.credential == "basic":
        return f"as {req.username or '?'} (Basic credentials, password {fp})"
    if req.credential == "password":
        return f"as {req.username or '?'} (password {fp})"
    if req.credential == "access_token":
        return f"with an access token {fp}"
    if req.credential:
        return f"with a {req.credential} credential {fp}"
    return "anonymously (no credentials)"


def token_method(req: TokenRequest) -> str:
    """The HTTP method of a token request: GET for the distribution spec's, POST for OAuth2."""
    return "GET" if req.kind == "get" else "POST"


def validity(exp: float, start: float | None, used: float | None) -> str:
    """`valid 5m; first used 2m after issue`: relative to the capture, never to now."""
    text = f"valid {duration(exp - start)}" if start is not None else ""
    if used is not None and start is not None:
        after = used - start
        text += (
            "; first used right after issue"
            if after < 1
            else (f"; first used {duration(after)} after issue")
        )
        if used > exp:
            text += f" (already expired {duration(used - exp)} before)"
    return text
