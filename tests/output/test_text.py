"""The text format: the terminal view, uncoloured."""

from __future__ import annotations

from acrproxy.analysis import Session
from acrproxy.output import text
from tests.flows import ex


def test_text_has_no_escape_codes() -> None:
    s = Session()
    s.feed(ex("https://r.test/v2/", status=401))
    out = text.render(s.report())
    assert "CHALLENGE_MISSING" in out and "\x1b[" not in out
