"""`acrproxy demo`: every scenario end to end, told in words and written as HTML and HAR."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from acrproxy.cli import main


def test_list_and_unknown_scenarios(capsys) -> None:
    assert main(["demo", "--list"]) == 0
    assert "redirect-leak" in capsys.readouterr().out
    assert main(["demo", "nope"]) == 2
    assert "no scenario 'nope'" in capsys.readouterr().err


@pytest.mark.e2e
def test_the_whole_demo(tmp_path: Path, loopback_lab) -> None:  # noqa: ARG001 - needs the binary
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "demo", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())  # the story is wrapped at 100 columns
    for words in (
        "anonymously (no credentials)",
        "the client correctly sent no token there",
        "That is less than asked: bob may not push",
        "Finding CREDENTIAL_LEAK_ON_REDIRECT",
        "Finding TOKEN_EXPIRED",
        "already expired",
    ):
        assert words in out, words
    assert "INSUFFICIENT_SCOPE" not in out.split("A token that is already expired")[1]
    for name in (
        "anonymous-pull",
        "authenticated-pull",
        "denied-push",
        "redirect-leak",
        "expired-token",
    ):
        assert (tmp_path / f"{name}.html").stat().st_size > 5000
        assert json.loads((tmp_path / f"{name}.har").read_text())["log"]["entries"]
    assert "bob-password-2" not in "".join(p.read_text() for p in tmp_path.iterdir())
