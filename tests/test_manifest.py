"""Manifests and indexes, read for what a person wants to know."""

from __future__ import annotations

import json

from acrproxy.manifest import parse_manifest


def test_index_platforms() -> None:
    body = json.dumps(
        {
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"platform": {"os": "linux", "architecture": "amd64"}},
                {"platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
                {"platform": {"os": "unknown", "architecture": "unknown"}},  # attestations
            ],
        }
    ).encode()
    info = parse_manifest(body, None)
    assert info is not None and info.index and info.platforms == ["linux/amd64", "linux/arm64/v8"]


def test_manifest_layers() -> None:
    body = json.dumps({"schemaVersion": 2, "layers": [{"size": 10}, {"size": 5}]}).encode()
    info = parse_manifest(body, "application/vnd.oci.image.manifest.v1+json; x=y")
    assert info is not None and (info.layers, info.size) == (2, 15)
    assert info.media_type == "application/vnd.oci.image.manifest.v1+json"


def test_not_a_manifest() -> None:
    assert parse_manifest(b"[1]", None) is None
    assert parse_manifest(b"nope", None) is None
    assert parse_manifest(b'{"a": 1}', None) is None
