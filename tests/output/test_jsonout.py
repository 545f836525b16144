"""The JSON format: the report model as it is, the same for `run --report` and `analyze`."""

from __future__ import annotations

import json

from acrproxy.analysis import Session
from acrproxy.decode import decode_value
from acrproxy.output import jsonout
from acrproxy.report import Report
from tests.flows import ex


def test_report_round_trips() -> None:
    s = Session()
    s.feed(ex("https://r.test/v2/", status=401))
    out = jsonout.render(s.report())
    assert Report.model_validate_json(out) == s.report()


def test_models_use_aliases_and_drop_absent_values() -> None:
    out = json.loads(jsonout.model_json(decode_value("repository(plugin):a:pull")))
    assert out == {
        "kind": "scope",
        "scopes": [{"type": "repository", "name": "a", "actions": ["pull"], "class": "plugin"}],
    }
