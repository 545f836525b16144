"""The report model and its committed JSON schema (codes listed as an enum, no internal key).

Regenerate the schema after an intended change: python -m tests.test_report
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from acrproxy.analysis import Session
from acrproxy.findings import Code
from acrproxy.report import Report
from tests.flows import ex

SCHEMA = Path(__file__).resolve().parent.parent / "acrproxy" / "schemas" / "report.schema.json"


def current_schema() -> dict:
    return Report.model_json_schema()


def test_committed_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text()) == current_schema()


def test_schema_lists_every_code_and_hides_the_key() -> None:
    schema = json.loads(SCHEMA.read_text())
    assert schema["$defs"]["Code"]["enum"] == [c.value for c in Code]
    assert "key" not in schema["$defs"]["Finding"]["properties"]


def test_a_report_validates_against_the_schema() -> None:
    s = Session()
    s.feed(ex("https://r.test/v2/", status=401))
    report = json.loads(s.report().model_dump_json())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    assert report["findings"][0]["code"] == "CHALLENGE_MISSING"
    assert {"code", "severity", "title", "exchanges"} <= set(report["findings"][0])
    assert "key" not in report["findings"][0]


def test_problems_are_findings_of_low_severity_or_above() -> None:
    s = Session()
    assert not s.report().has_problems()
    s.feed(ex("https://r.test/v2/", status=401))
    assert s.report().has_problems()


if __name__ == "__main__":
    SCHEMA.write_text(json.dumps(current_schema(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {SCHEMA}")
