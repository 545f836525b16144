"""A progress line per large blob while it streams (only when the live view is a terminal).

The bytes come from the streamer's hasher, read when rich refreshes the line (a few times a
second): nothing is added to the per-chunk path. A line clears when its transfer ends.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)

from acrproxy.registry_api import describe_target
from acrproxy.streaming import Hasher


class Transfers(Progress):
    """rich Progress whose tasks follow hashers (task -> hasher), started on the first one."""

    def __init__(self, console: Console) -> None:
        self.hashers: dict[TaskID, Hasher] = {}
        self.by_flow: dict[str, TaskID] = {}
        super().__init__(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=console,
            transient=True,
            refresh_per_second=4,
        )

    def get_renderables(self) -> Any:
        for task_id, hasher in list(self.hashers.items()):
            self.update(task_id, completed=hasher.size)
        return super().get_renderables()

    def begin(self, flow_id: str, path: str, total: int | None, hasher: Hasher) -> None:
        if not self.hashers:
            self.start()
        target = describe_target(path) if path.startswith("/v2/") else "blob " + path[-24:]
        task = self.add_task(target, total=total)
        self.hashers[task], self.by_flow[flow_id] = hasher, task

    def end(self, flow_id: str) -> None:
        task = self.by_flow.pop(flow_id, None)
        if task is None:
            return
        self.hashers.pop(task, None)
        self.remove_task(task)
        if not self.hashers:
            self.stop()
