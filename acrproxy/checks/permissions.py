"""Permission checks: an action refused to an account, then granted to it minutes later."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.authflow import Step
from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make

WINDOW = 30 * 60.0
"""How long after a refusal a grant still counts as the same permission arriving late."""


class PropagationEvidence(Evidence):
    account: str
    scope: str
    minutes: float


def permission_propagation(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    flow = ctx.recorded.auth_flow
    if ctx.recorded.step is not Step.TOKEN_REQUEST or flow is None or not flow.account:
        return
    now = ex.ended or ex.started
    for scope in flow.granted:
        for action in scope.actions:
            refused = ctx.denials.get((flow.account, scope.name, action))
            if refused is None or not 0 < now - refused <= WINDOW:
                continue
            minutes = (now - refused) / 60
            yield make(
                Code.PERMISSION_PROPAGATION,
                [ex.id],
                detail=f"{flow.account} was refused {action} on {scope.name}, then granted it "
                f"{minutes:.1f} minutes later",
                key=f"{flow.account}:{scope.name}:{action}",
                evidence=PropagationEvidence(
                    account=flow.account,
                    scope=f"{scope.type}:{scope.name}:{action}",
                    minutes=round(minutes, 1),
                ),
            )
