"""The JSON report's schema is committed; regenerate with:
python -c "import json; from acrproxy.analysis import Report; print(json.dumps(Report.model_json_schema(), indent=2, sort_keys=True))" > acrproxy/schemas/report.schema.json
"""

import json
from pathlib import Path

import jsonschema

from acrproxy.analysis import Report, Session
from tests.flows import ex

SCHEMA = Path(__file__).resolve().parent.parent / "acrproxy" / "schemas" / "report.schema.json"


def test_committed_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text()) == Report.model_json_schema()


def test_a_report_validates_against_the_schema() -> None:
    s = Session()
    s.feed(ex("https://r.test/v2/", status=401))
    report = json.loads(s.report().model_dump_json())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    assert report["findings"][0]["code"] == "CHALLENGE_MISSING"
    assert {"code", "severity", "title", "flows"} <= set(report["findings"][0])
