"""Read captures made anywhere (HAR from browsers, Fiddler, Charles; mitmproxy flow files)
into exchanges, with mitmproxy's own readers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mitmproxy import exceptions, http
from mitmproxy.io import FlowReader

from acrproxy.errors import CaptureReadError
from acrproxy.exchange import Exchange, from_flow


def read_exchanges(path: str | Path) -> Iterator[Exchange]:
    """Yield the HTTP exchanges of a HAR or mitmproxy flow file."""
    path = Path(path)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise CaptureReadError(f"{path}: {e.strerror or e}") from e
    n = 0
    with f:
        try:
            for flow in FlowReader(f).stream():
                n += 1
                if isinstance(flow, http.HTTPFlow):
                    yield from_flow(flow)
        except exceptions.FlowReadException as e:
            raise CaptureReadError(f"{path}: entry {n + 1}: {e}") from e
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise CaptureReadError(f"{path}: entry {n + 1}: not a HAR entry ({type(e).__name__}: {e})") from e
