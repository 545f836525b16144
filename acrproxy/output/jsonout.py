"""The report as JSON (its schema: `acrproxy/schemas/report.schema.json`), and decoded values."""

from __future__ import annotations

from pydantic import BaseModel

from acrproxy.report import Report


def render(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def model_json(model: BaseModel) -> str:
    """Any of acrproxy's models as JSON (aliases used, absent values left out)."""
    return model.model_dump_json(indent=2, by_alias=True, exclude_none=True) + "\n"
