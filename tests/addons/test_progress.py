"""Progress lines for streaming blobs: one per transfer, following its hasher, then cleared."""

from __future__ import annotations

import io

from mitmproxy.test import taddons
from rich.console import Console

from acrproxy.addons.liveview import LiveView
from acrproxy.addons.streamer import Streamer
from tests.flows import flow


def test_a_streaming_blob_has_a_progress_line_until_it_ends() -> None:
    buf = io.StringIO()
    s, v = Streamer(), LiveView(Console(file=buf, force_terminal=True, width=120))
    with taddons.context(s, v):
        f = flow(
            "https://r.test/v2/team/app/blobs/sha256:" + "a" * 64,
            resp_headers={"content-length": "5000000"},
        )
        s.responseheaders(f)
        v.responseheaders(f)
        (task,) = v.transfers.tasks
        assert task.description.startswith("team/app blob sha256:") and task.total == 5_000_000
        f.response.stream(b"x" * 1000)
        v.transfers.get_renderables()
        assert v.transfers.tasks[0].completed == 1000
        f.response.stream(b"")
        s.response(f)
        v.response(f)
        assert v.transfers.tasks == [] and not v.transfers.live.is_started


def test_no_progress_off_a_terminal() -> None:
    s, v = Streamer(), LiveView(Console(file=io.StringIO(), width=120))
    with taddons.context(s, v):
        f = flow(
            "https://r.test/v2/team/app/blobs/sha256:" + "a" * 64,
            resp_headers={"content-length": "5000000"},
        )
        s.responseheaders(f)
        v.responseheaders(f)
        assert v.transfers.tasks == []
