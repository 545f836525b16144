"""The story format: golden files on the five captures, and words for each situation."""

from __future__ import annotations

from acrproxy.output import Format
from acrproxy.output.explain import story
from tests.captures import report_of
from tests.output.golden import check


def test_matches_golden_files() -> None:
    check(Format.EXPLAIN)


def test_each_capture_is_told_in_words_a_learner_follows() -> None:
    text = {
        name: " ".join(p for s in story(report_of(name)) for p in s.paragraphs)
        for name in (
            "anonymous-pull",
            "authenticated-pull",
            "denied-push",
            "acr-exchange",
            "redirect-leak",
        )
    }
    assert "anonymously (no credentials)" in text["anonymous-pull"]
    assert "an index listing 2 platforms (linux/amd64 and linux/arm64)" in text["anonymous-pull"]
    assert "as bob (Basic credentials" in text["authenticated-pull"]
    assert "the client correctly sent no token there" in text["authenticated-pull"]
    assert "sha256 verified" in text["authenticated-pull"]
    assert "That is less than asked: bob may not push on team/app" in text["denied-push"]
    assert "401 insufficient_scope" in text["denied-push"]
    assert "Entra ID (AAD) access token" in text["acr-exchange"]
    assert "with a refresh token" in text["acr-exchange"]
    assert "sent its Bearer credential along" in text["redirect-leak"]
    for words in text.values():
        assert "None" not in words and "  " not in words
