"""Markdown: golden files; traffic text stays literal (no HTML, no broken tables)."""

from __future__ import annotations

from acrproxy.output import Format
from acrproxy.output.markdown import md
from tests.output.golden import check


def test_matches_golden_files() -> None:
    check(Format.MARKDOWN)


def test_traffic_text_is_literal() -> None:
    assert md("<script>x</script> | a") == r"\<script\>x\</script\> \| a"
