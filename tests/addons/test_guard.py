"""The guard contains failures and logs each kind once."""

from __future__ import annotations

import logging

from acrproxy.addons.guard import Guard


def test_contains_and_logs_each_kind_once(caplog) -> None:
    g = Guard(logging.getLogger("t"))
    for _ in range(3):
        with g.contain("thing"):
            raise ValueError("boom")
        with g.contain("thing"):
            raise KeyError("k")
        with g.contain("other"):
            raise ValueError("boom")
    assert len([r for r in caplog.records if "failed" in r.message]) == 3


def test_lets_base_exceptions_through() -> None:
    import pytest

    g = Guard(logging.getLogger("t"))
    with pytest.raises(KeyboardInterrupt):
        with g.contain("thing"):
            raise KeyboardInterrupt


def test_the_log_line_and_traceback_go_through_redaction(caplog) -> None:
    secret = "pw-seeded-secret-7"
    g = Guard(logging.getLogger("t"))
    with g.contain("thing"):
        raise ValueError(f"bad header Authorization: Basic {secret}")
    (record,) = [r for r in caplog.records if "failed" in r.getMessage()]
    text = record.getMessage() + (record.exc_text or "")
    assert "Traceback" in text and "ValueError" in text
    assert secret not in text
