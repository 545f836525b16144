"""Fingerprints and markers: stable stand-ins that survive redaction."""

from __future__ import annotations

from acrproxy.fingerprint import fingerprint, is_marker, looks_like_jwt, marker, strip_signature
from tests import tokens_data as T


def test_a_marker_stands_for_its_secret() -> None:
    m = marker("hunter2")
    assert is_marker(m) and fingerprint(m) == fingerprint("hunter2")
    assert m.startswith("redacted:sha256:") and "hunter2" not in m


def test_a_jwt_is_the_same_with_or_without_its_signature() -> None:
    assert looks_like_jwt(T.DOCKER_HUB) and not looks_like_jwt("abc.def.ghi")
    assert fingerprint(strip_signature(T.DOCKER_HUB)) == fingerprint(T.DOCKER_HUB)
    assert strip_signature(T.DOCKER_HUB).endswith(".")


def test_surrogates_do_not_break_fingerprints() -> None:
    assert fingerprint("\udce9").startswith("sha256:")
