"""Timing checks: an upstream too slow to answer, or a client that gave up before any answer."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make

PHASES = (("connect", "connecting"), ("tls", "the TLS handshake"), ("wait", "waiting for headers"))


class SlowEvidence(Evidence):
    host: str
    phase: str
    seconds: float


def upstream_slow(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    t = ex.timings
    if t is not None:
        for name, words in PHASES:
            ms = getattr(t, name)
            if ms is not None and ms / 1000 > ctx.slow_after:
                host = ex.authority
                yield make(
                    Code.UPSTREAM_SLOW,
                    [ex.id],
                    detail=f"{host} took {ms / 1000:.1f}s {words} ({ex.method} {ex.parts.path}); "
                    f"the limit is {ctx.slow_after:.0f}s",
                    key=f"{host}:{name}",
                    evidence=SlowEvidence(host=host, phase=name, seconds=round(ms / 1000, 1)),
                )
                return
    if ex.status is None and ex.error and "client" in ex.error.lower() and ex.duration:
        host = ex.authority
        yield make(
            Code.UPSTREAM_SLOW,
            [ex.id],
            detail=f"the client gave up on {host} after {ex.duration:.1f}s, before any answer "
            f"({ex.method} {ex.parts.path})",
            key=f"{host}:client",
            evidence=SlowEvidence(host=host, phase="no answer", seconds=round(ex.duration, 1)),
        )
