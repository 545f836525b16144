"""The report as JSON (its schema: `acrproxy/schemas/report.schema.json`), and decoded values.

Every string goes through redaction once more on the way out (the last net), and the text is
ASCII, so undecodable bytes and any terminal or file encoding are safe.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from acrproxy.redact import scrub_tree
from acrproxy.report import Report


def dumps(data: Any) -> str:
    return json.dumps(scrub_tree(data), indent=2) + "\n"


def render(report: Report) -> str:
    return dumps(report.model_dump(mode="json"))


def model_json(model: BaseModel) -> str:
    """Any of acrproxy's models as JSON (aliases used, absent values left out)."""
    return dumps(model.model_dump(mode="json", by_alias=True, exclude_none=True))
