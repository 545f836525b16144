"""What acrproxy attaches to each mitmproxy flow: one typed note in `flow.metadata["acrproxy"]`.

Stored as plain JSON (`model_dump(mode="json")`), so `mitmdump -w` files keep it and any reader
(HAR export, live view, `acrproxy analyze` of a flow file) gets the same type back.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from acrproxy.authflow import AuthFlow, Step
from acrproxy.findings import Finding

METADATA_KEY = "acrproxy"


class StreamRecord(BaseModel):
    """Size and sha256 of bodies streamed through (never buffered), measured as they passed."""

    request_size: int | None = None
    request_sha256: str | None = None
    response_size: int | None = None
    response_sha256: str | None = None


class ExchangeNote(BaseModel):
    """acrproxy's analysis of one exchange."""

    step: Step = Step.REQUEST
    auth_flow_id: int | None = None
    """The auth flow this exchange belongs to."""
    findings: list[Finding] = Field(default_factory=list)
    """Findings first raised by this exchange."""
    completed_auth_flows: list[AuthFlow] = Field(default_factory=list)
    """Auth flows that reached their outcome with this exchange (for the live view)."""
    stream: StreamRecord | None = None
    blob_verified: bool | None = None
    """For a streamed blob: whether its sha256 matched its digest."""


def read_note(metadata: MutableMapping[str, Any]) -> ExchangeNote:
    """The note on a flow (an empty one when there is none or it is not ours)."""
    raw = metadata.get(METADATA_KEY)
    if isinstance(raw, ExchangeNote):
        return raw
    if not isinstance(raw, dict):
        return ExchangeNote()
    try:
        return ExchangeNote.model_validate(raw)
    except ValidationError:
        return ExchangeNote()


def write_note(metadata: MutableMapping[str, Any], note: ExchangeNote) -> None:
    metadata[METADATA_KEY] = note.model_dump(mode="json", exclude_defaults=True)
