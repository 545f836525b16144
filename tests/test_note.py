"""The flow note: one typed model in flow.metadata["acrproxy"], stored as plain JSON."""

from __future__ import annotations

import json

from acrproxy.analysis import Session
from acrproxy.authflow import Step
from acrproxy.note import METADATA_KEY, ExchangeNote, StreamRecord, read_note, write_note
from tests.flows import ex


def test_round_trips_through_plain_json() -> None:
    note = Session().feed(ex("http://r.test/v2/", req_headers={"Authorization": "Basic dTpw"}))
    note.stream = StreamRecord(response_size=5, response_sha256="sha256:" + "a" * 64)
    meta: dict = {}
    write_note(meta, note)
    plain = json.loads(json.dumps(meta))
    assert read_note(plain) == note
    assert plain[METADATA_KEY]["findings"][0]["code"] == "CREDENTIAL_OVER_PLAINTEXT"


def test_defaults_are_left_out_and_read_back() -> None:
    meta: dict = {}
    write_note(meta, ExchangeNote())
    assert meta[METADATA_KEY] == {}
    assert read_note(meta).step is Step.REQUEST


def test_missing_or_foreign_metadata_reads_as_an_empty_note() -> None:
    assert read_note({}) == ExchangeNote()
    assert read_note({METADATA_KEY: "not ours"}) == ExchangeNote()
    assert read_note({METADATA_KEY: {"step": "nonsense"}}) == ExchangeNote()
