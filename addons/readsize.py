"""Larger socket reads, so a streamed blob runs the proxy's layers once per 256 KiB, not 64 KiB.

mitmproxy reads at most 64 KiB per event (`reader.read(65535)` in `mitmproxy/proxy/server.py`,
with no option), and every event runs the whole layer stack: TLS, HTTP/1, the stream callable,
TLS again. For a multi-GB layer that per-event work, not the crypto, is most of the proxy's CPU
(bench/README.md has the profile). This addon wraps the reader of each TCP connection when it
opens, through the proxyserver addon's public `connections` registry, so that the same call
returns what the socket has buffered, up to `acrproxy_read_size`. A read never waits for more
data than is there, so small requests see no change.

If mitmproxy's internals ever differ from what this expects, the addon leaves the connection
alone and mitmproxy reads as it always has (logged once at debug level).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from mitmproxy import connection, ctx, exceptions
from mitmproxy.addonmanager import Loader
from mitmproxy.proxy import server_hooks

from acrproxy.streaming import parse_size

logger = logging.getLogger(__name__)

DEFAULT = "256k"


class LargeReads:
    """An asyncio.StreamReader whose positive reads ask for at least `size` bytes."""

    __slots__ = ("reader", "size")

    def __init__(self, reader: asyncio.StreamReader, size: int) -> None:
        self.reader = reader
        self.size = size

    def read(self, n: int = -1) -> Coroutine[Any, Any, bytes]:
        return self.reader.read(max(n, self.size) if n > 0 else n)  # no coroutine of our own

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


class ReadSize:
    def __init__(self) -> None:
        self.size = parse_size(DEFAULT)
        self._unsupported = False

    def load(self, loader: Loader) -> None:
        loader.add_option(
            "acrproxy_read_size",
            str,
            DEFAULT,
            "Read up to this much from a socket per event (mitmproxy reads 64k). Larger reads "
            "make streamed blobs cheaper; a read never waits for more than is buffered. "
            "0 keeps mitmproxy's own reads. Suffixes k, m.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_read_size" in updated:
            try:
                size = parse_size(ctx.options.acrproxy_read_size)
            except ValueError as e:
                raise exceptions.OptionsError(f"Cannot parse acrproxy_read_size: {e}") from e
            if size > 16 * 1024 * 1024:
                raise exceptions.OptionsError("acrproxy_read_size: at most 16m")
            self.size = size

    def client_connected(self, client: connection.Client) -> None:
        self.widen(client, client)

    def server_connected(self, data: server_hooks.ServerConnectionHookData) -> None:
        self.widen(data.client, data.server)

    def widen(self, client: connection.Client, conn: connection.Connection) -> None:
        """Wrap the reader mitmproxy is about to read `conn` with (it has not read yet)."""
        if self.size <= 65535 or self._unsupported:
            return
        try:
            handler = ctx.master.addons.get("proxyserver").connections.get(client.id)
            io = handler.transports.get(conn) if handler is not None else None
        except AttributeError as e:
            self._unsupported = True
            logger.debug("acrproxy: read size left to mitmproxy (%s)", e)
            return
        if io is not None and isinstance(io.reader, asyncio.StreamReader):
            io.reader = LargeReads(io.reader, self.size)
