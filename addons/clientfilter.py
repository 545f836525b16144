"""Close connections from client addresses that were not allowed (--allow-client CIDR)."""

from __future__ import annotations

import ipaddress
import logging

from mitmproxy import connection, ctx, exceptions
from mitmproxy.addonmanager import Loader

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> list[Network]:
    """`10.0.75.0/24,127.0.0.1` -> networks; ValueError names the one that is not."""
    out: list[Network] = []
    for part in (p.strip() for p in value.split(",")):
        if part:
            try:
                out.append(ipaddress.ip_network(part, strict=False))
            except ValueError as e:
                raise ValueError(f"not an address or CIDR: {part!r}") from e
    return out


def allowed(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.removeprefix("::ffff:"))
    except ValueError:
        return False
    return any(ip in n for n in networks if ip.version == n.version)


class ClientFilter:
    def __init__(self) -> None:
        self.networks: list[Network] = []

    def load(self, loader: Loader) -> None:
        loader.add_option(
            "acrproxy_allow_clients",
            str,
            "",
            "Only clients from these addresses or CIDRs (comma-separated) may connect; others "
            "are closed at connect. Empty: every client that reaches the listen address.",
        )

    def configure(self, updated: set[str]) -> None:
        if "acrproxy_allow_clients" in updated:
            try:
                self.networks = parse_networks(ctx.options.acrproxy_allow_clients)
            except ValueError as e:
                raise exceptions.OptionsError(f"acrproxy_allow_clients: {e}") from e

    def client_connected(self, client: connection.Client) -> None:
        if not self.networks or not client.peername:
            return
        address = str(client.peername[0])
        if not allowed(address, self.networks):
            client.error = f"acrproxy: client {address} is not allowed (--allow-client)"
            logger.info("acrproxy: closed a connection from %s (not in --allow-client)", address)
