"""A request/response pair as the core sees it: plain data, from a live flow or a capture file."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from acrproxy.registry_api import ApiPath, parse_path


# A plain dataclass (built for every exchange, cheaply: a frozen one costs three times as
# much to make); the report model validates it. Never changed once made: exchanges and
# report records share it.
@dataclass(slots=True)
class Timings:
    """Where an exchange's time went, in milliseconds (None: not known, or not this exchange's:
    a connection reused from an earlier request)."""

    connect: float | None = None
    tls: float | None = None
    send: float | None = None
    wait: float | None = None
    """To the first byte of the response."""
    receive: float | None = None


@dataclass(slots=True)
class Exchange:
    """One HTTP request with its response or error. Header names are lower-case."""

    id: str
    method: str
    url: str
    client: str = ""
    started: float = 0.0
    ended: float | None = None
    req_headers: list[tuple[str, str]] = field(default_factory=list)
    req_body: bytes | None = None
    status: int | None = None
    reason: str = ""
    resp_headers: list[tuple[str, str]] = field(default_factory=list)
    resp_body: bytes | None = None
    resp_size: int | None = None
    body_sha256: str | None = None
    error: str | None = None
    timings: Timings | None = None
    _parts: SplitResult | None = field(default=None, init=False, repr=False, compare=False)
    _api: ApiPath | None = field(default=None, init=False, repr=False, compare=False)
    _authority: str | None = field(default=None, init=False, repr=False, compare=False)

    def req(self, name: str) -> str | None:
        for k, v in self.req_headers:
            if k == name:
                return v
        return None

    def resp(self, name: str) -> str | None:
        for k, v in self.resp_headers:
            if k == name:
                return v
        return None

    def resp_all(self, name: str) -> list[str]:
        return [v for k, v in self.resp_headers if k == name]

    @property
    def parts(self) -> SplitResult:
        """The URL split (once: the URL of an exchange does not change)."""
        if self._parts is None:
            self._parts = split_url(self.url)
        return self._parts

    @property
    def api(self) -> ApiPath:
        """What the registry API path says (kind, repository, reference)."""
        if self._api is None:
            self._api = parse_path(self.parts.path)
        return self._api

    @property
    def host(self) -> str:
        return self.parts.hostname or ""

    @property
    def authority(self) -> str:
        """`host[:port]` as in the URL, never with userinfo."""
        if self._authority is None:
            self._authority = authority(self.url)
        return self._authority

    @property
    def path(self) -> str:
        p = self.parts
        return p.path + ("?" + p.query if p.query else "")

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else max(0.0, self.ended - self.started)


@functools.lru_cache(maxsize=1024)
def split_url(url: str) -> SplitResult:
    """urlsplit, remembered: checks ask for the same exchange's parts many times. A plain URL
    (lower-case http(s), a host name or IPv4 address, no userinfo, fragment, white space or
    control characters) is split by one linear-time match, to the same result."""
    m = _SIMPLE_URL.match(url)
    if m:
        return SplitResult(m[1], m[2], m[3] or "", m[4] or "", "")
    return urlsplit(url)


_SIMPLE_URL = re.compile(
    r"(https?)://([A-Za-z0-9.:-]*)(/[^?#@\s\x00-\x1f\x7f]*)?(?:\?([^#@\s\x00-\x1f\x7f]*))?\Z"
)


def authority(url: str) -> str:
    """`host[:port]` of a URL, without any userinfo (`user:password@`)."""
    try:
        netloc = split_url(url).netloc
    except ValueError:
        return ""
    return netloc.rpartition("@")[2]


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """Text every output can encode: undecodable bytes (lone surrogates) become U+FFFD."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def clean_tree(node: Any) -> Any:
    """Every string in a JSON-like structure made encodable (see `clean`)."""
    if isinstance(node, str):
        return clean(node)
    if isinstance(node, dict):
        return {k: clean_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [clean_tree(v) for v in node]
    return node
