"""Event dispatch that skips the addons without a handler, for `acrproxy run` and `web`.

mitmproxy hands every event to every addon in its chain: for each of its ~40 built-in addons,
a context manager, a coroutine and a walk of the addon's children, whether or not the addon
handles the event; and every flow event is followed by an `update` event dispatched the same
way. For a small registry request that is most of mitmproxy's own CPU (bench/README.md has the
profile). `FastDispatch` keeps, per event name, the addons that handle it, and dispatches
exactly as `AddonManager.trigger_event` does to those: chain order, children after their parent,
one `safecall` per chain entry (errors logged as mitmproxy logs them), awaiting what handlers
return, and `AddonHalt` ending the event. The table is rebuilt whenever the loaded addons change
(an addon added or removed, a script reloaded).

The CLI installs it on the master it builds; `mitmdump -s addons/entry.py` leaves mitmproxy's
own dispatch alone.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any

from mitmproxy import exceptions, hooks
from mitmproxy.addonmanager import AddonManager, safecall, traverse

Handlers = list[tuple[object, list[Callable[..., Any]]]]


class FastDispatch:
    def __init__(self, manager: AddonManager) -> None:
        self.manager = manager
        self._loaded: tuple[object, ...] = ()
        self._table: dict[str, Handlers] = {}

    def handlers(self, name: str) -> Handlers:
        """(chain entry, its handlers for `name` in traversal order), for entries that have any."""
        loaded = tuple(self.manager.lookup.values())
        if loaded != self._loaded:
            self._loaded, self._table = loaded, {}
        found = self._table.get(name)
        if found is None:
            found = []
            for entry in self.manager.chain:
                funcs = []
                for addon in traverse([entry]):
                    func = getattr(addon, name, None)
                    if not func or isinstance(func, types.ModuleType):  # as mitmproxy: truthiness
                        continue
                    funcs.append(func if callable(func) else _not_callable(name, addon))
                if funcs:
                    found.append((entry, funcs))
            self._table[name] = found
        return found

    async def trigger_event(self, event: hooks.Hook) -> None:
        """What `AddonManager.trigger_event` does, visiting only the addons that handle it."""
        for _entry, funcs in self.handlers(event.name):
            try:
                with safecall():
                    for func in funcs:
                        res = func(*event.args())
                        if res is not None and inspect.isawaitable(res):
                            await res
            except exceptions.AddonHalt:
                return


def _not_callable(name: str, addon: object) -> Callable[..., Any]:
    """mitmproxy raises this when it reaches the addon, inside its safecall: so do we."""

    def fail(*_: object) -> None:
        raise exceptions.AddonManagerError(f"Addon handler {name} ({addon}) not callable")

    return fail


def install(manager: AddonManager) -> FastDispatch:
    """Route the manager's asynchronous event dispatch (every proxy hook) through FastDispatch."""
    fast = FastDispatch(manager)
    manager.trigger_event = fast.trigger_event  # type: ignore[method-assign]
    return fast
