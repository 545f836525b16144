"""The read-size addon: a connection's reader returns up to 256 KiB per read, never waits."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from mitmproxy import exceptions
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.proxy.server import ConnectionIO
from mitmproxy.proxy.server_hooks import ServerConnectionHookData
from mitmproxy.test import taddons, tflow

from acrproxy.addons.readsize import LargeReads, ReadSize


def in_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """Run an async test in a fresh event loop (mitmproxy's test context wants one)."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


def fed(data: bytes, eof: bool = False) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=2**16)
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


@in_loop
async def test_large_reads_return_what_is_buffered_up_to_the_size() -> None:
    wide = LargeReads(fed(b"x" * (1 << 20)), 256 * 1024)
    assert len(await wide.read(65535)) == 256 * 1024
    assert len(await wide.read(65535)) == 256 * 1024


@in_loop
async def test_large_reads_do_not_wait_for_more_than_is_there() -> None:
    reader = fed(b"GET / HTTP/1.1\r\n\r\n")
    wide = LargeReads(reader, 1 << 20)
    assert await asyncio.wait_for(wide.read(65535), 5) == b"GET / HTTP/1.1\r\n\r\n"
    reader.feed_eof()
    assert await wide.read(65535) == b""
    assert wide.at_eof()  # everything else is the reader's own


@in_loop
async def test_read_zero_and_read_all_keep_their_meaning() -> None:
    wide = LargeReads(fed(b"abc", eof=True), 1 << 20)
    assert await wide.read(0) == b""
    assert await wide.read(-1) == b"abc"


class Handler:
    def __init__(self) -> None:
        self.transports: dict[object, ConnectionIO] = {}


@in_loop
async def test_client_and_server_readers_are_widened_through_the_proxyserver_registry() -> None:
    r, ps = ReadSize(), Proxyserver()
    with taddons.context(r, ps) as tctx:
        tctx.configure(r, acrproxy_read_size="512k")
        client, server = tflow.tclient_conn(), tflow.tserver_conn()
        handler = Handler()
        handler.transports[client] = ConnectionIO(reader=fed(b"c" * 600_000))
        handler.transports[server] = ConnectionIO(reader=fed(b"s" * 600_000))
        with ps.register_connection(client.id, handler):  # type: ignore[arg-type]
            r.client_connected(client)
            r.server_connected(ServerConnectionHookData(server, client))
        for conn in (client, server):
            reader = handler.transports[conn].reader
            assert isinstance(reader, LargeReads)
            assert len(await reader.read(65535)) == 512 * 1024


@in_loop
async def test_zero_keeps_mitmproxys_reads() -> None:
    r, ps = ReadSize(), Proxyserver()
    with taddons.context(r, ps) as tctx:
        tctx.configure(r, acrproxy_read_size="0")
        client = tflow.tclient_conn()
        handler = Handler()
        reader = fed(b"x")
        handler.transports[client] = ConnectionIO(reader=reader)
        with ps.register_connection(client.id, handler):  # type: ignore[arg-type]
            r.client_connected(client)
        assert handler.transports[client].reader is reader


@in_loop
async def test_a_different_mitmproxy_leaves_connections_alone() -> None:
    r = ReadSize()

    class NoRegistry:  # a proxyserver without the `connections` this relies on
        name = "proxyserver"

    with taddons.context(r, NoRegistry()):
        client = tflow.tclient_conn()
        r.client_connected(client)  # no error: mitmproxy reads as it always has
        r.client_connected(client)
    assert r._unsupported


@in_loop
async def test_unknown_connections_and_other_readers_are_left_alone() -> None:
    r, ps = ReadSize(), Proxyserver()
    with taddons.context(r, ps):
        client = tflow.tclient_conn()
        r.client_connected(client)  # not registered: nothing to do
        handler = Handler()
        other = object()  # e.g. mitmproxy_rs.Stream for UDP
        handler.transports[client] = ConnectionIO(reader=other)  # type: ignore[arg-type]
        with ps.register_connection(client.id, handler):  # type: ignore[arg-type]
            r.client_connected(client)
        assert handler.transports[client].reader is other


@pytest.mark.parametrize("value", ["lots", "17m"])
def test_bad_sizes_are_option_errors(value: str) -> None:
    r = ReadSize()
    with taddons.context(r) as tctx, pytest.raises(exceptions.OptionsError):
        tctx.configure(r, acrproxy_read_size=value)
