"""acrproxy's exception tree: every parse error is also a ValueError."""

from __future__ import annotations

from acrproxy import errors


def test_tree() -> None:
    for cls in (
        errors.ChallengeParseError,
        errors.ScopeParseError,
        errors.TokenDecodeError,
        errors.CaptureReadError,
    ):
        assert issubclass(cls, errors.ParseError) and issubclass(cls, ValueError)
    assert issubclass(errors.ParseError, errors.AcrproxyError)
