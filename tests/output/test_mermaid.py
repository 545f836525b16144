"""Mermaid: golden files, and traffic text that cannot break a diagram."""

from __future__ import annotations

from acrproxy.output import Format
from acrproxy.output.mermaid import label
from tests.output.golden import check


def test_matches_golden_files() -> None:
    check(Format.MERMAID)


def test_labels_cannot_end_a_line_or_inject() -> None:
    assert label("a;b#c<d>\ne") == "a b c d  e"
    assert label("") == "-"
