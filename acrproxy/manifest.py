"""Manifests and indexes, read just enough to tell a person what was pulled or pushed."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
MAX_MANIFEST = 4 * 1024 * 1024


class ManifestInfo(BaseModel):
    """What a manifest or index says: its type, platforms (an index) or layers (a manifest)."""

    media_type: str
    index: bool = False
    platforms: list[str] = Field(default_factory=list)
    """`os/arch[/variant]` of each manifest in an index."""
    layers: int = 0
    size: int = 0
    """Sum of the layers' sizes (a manifest)."""


def parse_manifest(body: bytes | None, content_type: str | None) -> ManifestInfo | None:
    """Read a manifest or index body; None when it is not one."""
    if not body or len(body) > MAX_MANIFEST:
        return None
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    media = data.get("mediaType") if isinstance(data.get("mediaType"), str) else None
    media = media or (content_type or "").split(";")[0].strip()
    if isinstance(data.get("manifests"), list) or media in INDEX_TYPES:
        platforms = []
        for m in data.get("manifests") or []:
            p = m.get("platform") if isinstance(m, dict) else None
            if isinstance(p, dict) and p.get("os") != "unknown":
                parts = [str(p.get("os", "?")), str(p.get("architecture", "?"))]
                if p.get("variant"):
                    parts.append(str(p["variant"]))
                platforms.append("/".join(parts))
        return ManifestInfo(media_type=media or "index", index=True, platforms=platforms[:64])
    layers = data.get("layers")
    if isinstance(layers, list):
        sizes = [x.get("size") for x in layers if isinstance(x, dict)]
        total = sum(s for s in sizes if isinstance(s, int) and not isinstance(s, bool))
        return ManifestInfo(media_type=media or "manifest", layers=len(layers), size=total)
    return None
