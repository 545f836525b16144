"""Writing files acrproxy produces: whole or not at all, private to the user (mode 0600)."""

from __future__ import annotations

import errno
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
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if path.exists() and not path.is_file():  # a device or a pipe: written to, never replaced
        with open(path, "wb") as f:
            f.write(raw)
        return
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


def check_writable(path: str | Path) -> str | None:
    """Why `path` cannot be written (checked before any work starts), or None when it can."""
    p = Path(path)
    if p.is_dir():
        return "is a directory"
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        return f"folder {parent} does not exist"
    if p.exists() and not os.access(p, os.W_OK):
        return "permission denied"
    if not p.exists() and not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create files in {parent}"
    return None
