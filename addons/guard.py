"""Contain acrproxy's own failures: a bug in an addon never breaks a proxied flow.

Each failure is logged once per (what, exception type), with its traceback, then stays quiet.
An exception's message can quote traffic (a header, a token), so the log line and the traceback
go through the redaction layer like every other output.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from acrproxy.redact import scrub


class Guard:
    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._seen: set[tuple[str, str]] = set()

    @contextmanager
    def contain(self, what: str) -> Iterator[None]:
        try:
            yield
        except Exception as e:  # never let our code break a proxied flow
            kind = (what, type(e).__name__)
            if kind not in self._seen:
                self._seen.add(kind)
                self._logger.warning(
                    "acrproxy: %s failed (%s: %s); the flow was passed on untouched\n%s",
                    what,
                    type(e).__name__,
                    scrub(str(e)),
                    scrub("".join(traceback.format_exception(e)).rstrip()),
                )
