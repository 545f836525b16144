"""Files acrproxy writes: atomic, mode 0600, the old content kept when a write fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acrproxy.files import write_private


def test_writes_private_files_and_replaces_atomically(tmp_path: Path) -> None:
    p = tmp_path / "out.json"
    p.write_text("old")
    os.chmod(p, 0o644)
    write_private(p, "new")
    assert p.read_text() == "new" and p.stat().st_mode & 0o777 == 0o600
    assert [x.name for x in tmp_path.iterdir()] == ["out.json"]


def test_a_failed_write_keeps_the_old_content(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "out.json"
    p.write_text("precious")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_private(p, "new")
    assert p.read_text() == "precious" and [x.name for x in tmp_path.iterdir()] == ["out.json"]
