"""Numbers and lists in words."""

from __future__ import annotations

from acrproxy.output.words import duration, plural, sentence_list, size


def test_words() -> None:
    assert plural(1, "layer") == "1 layer" and plural(2, "entry") == "2 entries"
    assert sentence_list(["a", "b", "c"]) == "a, b and c" and sentence_list(["a"]) == "a"
    assert size(2048) == "2.0 KiB" and size(5) == "5 bytes" and size(None) == "size unknown"
    assert duration(300) == "5m" and duration(10800) == "3h00m" and duration(59) == "59s"
