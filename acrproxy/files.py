"""Writing files acrproxy produces: whole or not at all, private to the user (mode 0600)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: str | Path, data: str | bytes) -> None:
    """Write `data` to `path` atomically (a temporary file beside it, then a rename), mode 0600.

    An existing file at `path` is replaced only once the new content is complete on disk, so a
    failed write never loses it.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
