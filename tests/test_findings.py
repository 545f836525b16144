"""Finding codes and their catalogue: complete, stable, frozen findings with a private key."""

from __future__ import annotations

import pydantic
import pytest

from acrproxy.findings import CATALOGUE, Code, Evidence, Finding, Severity, make
from acrproxy.redact import scrub


def test_every_code_has_a_catalogue_entry() -> None:
    assert set(CATALOGUE) == set(Code) and len(Code) == 21
    assert all(c.value == c.name and c.value.isupper() for c in Code)


def test_catalogue_text_passes_the_redaction_layer_unchanged() -> None:
    """The terminal scrubs every line it prints, advice included: no wording may look like a
    credential (as "token: the" once did)."""
    texts = [t for spec in CATALOGUE.values() for t in (spec.title, spec.explanation, spec.advice)]
    assert [t for t in texts if scrub(t) != t] == []


def test_findings_are_frozen_and_keep_their_key_private() -> None:
    class E(Evidence):
        host: str

    f = make(Code.CHALLENGE_MISSING, ["x"], detail="d", key="k", evidence=E(host="h"))
    assert f.key == "k" and f.evidence == {"host": "h"} and f.severity is Severity.MEDIUM
    assert "key" not in f.model_dump() and "_key" not in f.model_dump_json()
    with pytest.raises(pydantic.ValidationError):
        f.detail = "changed"  # type: ignore[misc]
    assert Finding.model_validate(f.model_dump(mode="json")) == f


def test_unknown_codes_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        Finding(code="NOT_A_CODE", severity="high", title="", explanation="", advice="")  # type: ignore[arg-type]


def test_severity_ranks() -> None:
    assert [s.rank for s in (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH)] == [
        0,
        1,
        2,
        3,
    ]
