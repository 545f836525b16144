"""Sequence diagrams as data: lanes and messages in order."""

from __future__ import annotations

from acrproxy.output.sequence import Lane, diagrams
from tests.captures import report_of


def test_authenticated_pull_has_four_lanes_in_order() -> None:
    (d,) = diagrams(report_of("authenticated-pull"))
    assert list(d.lanes) == [Lane.CLIENT, Lane.REGISTRY, Lane.TOKEN, Lane.STORAGE]
    assert [m.receiver for m in d.messages if not m.response] == [
        Lane.REGISTRY,
        Lane.TOKEN,
        Lane.REGISTRY,
        Lane.REGISTRY,
        Lane.STORAGE,
    ]
    assert any(n.text.startswith("granted: repository:team/app:pull") for n in d.notes)


def test_requests_outside_auth_flows_get_a_diagram() -> None:
    (d,) = diagrams(report_of("redirect-leak"))
    assert d.anchor == "other-requests" and Lane.STORAGE in d.lanes
    assert any("CREDENTIAL_LEAK_ON_REDIRECT" in n.text for n in d.notes)
