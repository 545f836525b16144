"""The client filter: only allowed addresses may connect."""

from __future__ import annotations

import pytest
from mitmproxy.test import taddons, tflow

from acrproxy.addons.clientfilter import ClientFilter, allowed, parse_networks


def test_networks_and_membership() -> None:
    nets = parse_networks("10.0.75.0/24, 127.0.0.3,::1")
    assert allowed("10.0.75.9", nets) and allowed("127.0.0.3", nets) and allowed("::1", nets)
    assert allowed("::ffff:10.0.75.9", nets) and not allowed("10.0.76.1", nets)
    with pytest.raises(ValueError, match="not an address"):
        parse_networks("10.0.0.0/33")


def test_other_clients_are_closed_at_connect() -> None:
    f = ClientFilter()
    with taddons.context(f) as tctx:
        client = tflow.tclient_conn()
        client.peername = ("127.0.0.1", 5000)
        f.client_connected(client)
        assert client.error is None  # no list: everyone
        tctx.configure(f, acrproxy_allow_clients="127.0.0.3/32")
        f.client_connected(client)
        assert client.error and "not allowed" in client.error
        with pytest.raises(Exception, match="acrproxy_allow_clients"):
            tctx.configure(f, acrproxy_allow_clients="nope")
