"""The Containerfile copies what the package needs and runs the proxy with its CA on a volume."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_copies_existing_paths_and_runs_acrproxy() -> None:
    text = (ROOT / "Containerfile").read_text()
    for src in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for part in src.split():
            assert (ROOT / part).exists(), part
    entry = json.loads(re.search(r"^ENTRYPOINT (.+)$", text, re.M).group(1))
    assert entry[:2] == ["acrproxy", "run"] and "/confdir" in entry
    assert "-p 127.0.0.1:8888:8888" in text and "USER acrproxy" in text
