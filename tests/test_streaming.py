"""What is streamed, and the hasher that measures streamed bodies."""

from __future__ import annotations

import hashlib

import pytest

from acrproxy.streaming import Hasher, parse_size, should_stream


@pytest.mark.parametrize(
    "text,n", [("1m", 1 << 20), ("512k", 512 << 10), ("2g", 2 << 30), ("10", 10)]
)
def test_parse_size(text: str, n: int) -> None:
    assert parse_size(text) == n


def test_parse_size_refuses_words() -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")


@pytest.mark.parametrize(
    "length,ctype,path,yes",
    [
        ("2000000", "application/json", "/v2/a/manifests/v1", True),
        ("400", "application/vnd.oci.image.manifest.v1+json", "/v2/a/manifests/v1", False),
        ("100000", "application/octet-stream", "/v2/a/blobs/sha256:" + "a" * 64, True),
        ("100000", "application/octet-stream", "/v2/a/blobs/uploads/u", True),
        ("100000", "application/octet-stream", "/docker/registry/v2/blobs/sha256/ab/x/data", True),
        (None, "application/json", "/token", False),
        (None, "application/octet-stream", "/data", True),
    ],
)
def test_should_stream(length: str | None, ctype: str, path: str, yes: bool) -> None:
    assert should_stream(length, ctype, path, 1 << 20) is yes


def test_hasher_counts_as_bytes_pass_and_digests_at_the_end() -> None:
    h = Hasher()
    assert h(b"abc") == b"abc" and h.size == 3 and h.sha256 is None
    assert h(b"") == b""
    assert h.sha256 == "sha256:" + hashlib.sha256(b"abc").hexdigest()
