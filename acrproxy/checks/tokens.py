"""Token and scope checks: refused token requests, scopes not granted or not held, audience,
tokens fetched again."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.authflow import ScopeGap, Step
from acrproxy.checks.context import Context
from acrproxy.exchange import Exchange
from acrproxy.findings import Code, Evidence, Finding, make
from acrproxy.registry_api import needed_scope, registry_error_code
from acrproxy.tokens import Token

REFUSALS = ("DENIED", "UNAUTHORIZED")


class TokenStatusEvidence(Evidence):
    status: int | None


class ScopeGapEvidence(Evidence):
    account: str | None
    repository: str
    missing: list[str]
    granted: list[str]


class AudienceEvidence(Evidence):
    service: str
    audience: list[str]


class RefusalEvidence(Evidence):
    needed: str | None
    """The scope the request needed (None: not a registry API path acrproxy knows)."""
    held: list[str]
    """What the token held, as scopes."""
    registry_error: str | None = None


def token_request_failed(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    flow = ctx.recorded.auth_flow
    if ctx.recorded.step is not Step.TOKEN_REQUEST or flow is None or flow.token is None:
        return
    step = flow.token
    if step.status is None or 200 <= step.status < 300:
        return
    who = f" for account {flow.account}" if flow.account else ""
    yield make(
        Code.TOKEN_REQUEST_FAILED,
        [ex.id],
        detail=f"{step.request.endpoint} answered {step.status}{who}",
        key=f"{step.request.endpoint}:{step.status}:{flow.account}",
        evidence=TokenStatusEvidence(status=step.status),
    )


def _issued(ctx: Context) -> bool:
    flow = ctx.recorded.auth_flow
    return (
        ctx.recorded.step is Step.TOKEN_REQUEST
        and flow is not None
        and flow.token is not None
        and flow.token.response is not None
        and flow.token.response.token is not None
    )


def scope_not_granted(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    flow = ctx.recorded.auth_flow
    if not _issued(ctx) or flow is None:
        return
    who = flow.account or "anonymous"
    for gap in flow.not_granted:
        asked = ",".join(sorted(set(gap.missing) | set(gap.granted)))
        yield make(
            Code.SCOPE_NOT_GRANTED,
            [ex.id],
            detail=f"{who} asked for {asked} on {gap.type}:{gap.name} and was granted "
            f"[{','.join(gap.granted)}]: missing {','.join(gap.missing)}",
            key=f"{flow.account}:{gap.type}:{gap.name}:{','.join(gap.missing)}",
            evidence=ScopeGapEvidence(
                account=flow.account,
                repository=gap.name,
                missing=gap.missing,
                granted=gap.granted,
            ),
        )


def token_audience_mismatch(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    flow = ctx.recorded.auth_flow
    if not _issued(ctx) or flow is None or flow.challenge is None:
        return
    assert flow.token is not None and flow.token.response is not None
    token = flow.token.response.token
    assert token is not None
    service = next(
        (c.service for c in flow.challenge.challenges if c.is_bearer and c.service), None
    )
    aud = token.claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud] if isinstance(aud, str) else []
    if service and auds and service not in auds:
        yield make(
            Code.TOKEN_AUDIENCE_MISMATCH,
            [ex.id],
            detail=f"challenge service {service!r}, token aud {auds}",
            key=f"{service}:{auds}",
            evidence=AudienceEvidence(service=service, audience=[str(a) for a in auds]),
        )


def token_refetched(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    flow = ctx.recorded.auth_flow
    earlier = ctx.previous_token_expiry
    if not _issued(ctx) or flow is None or earlier is None or not flow.requested:
        return
    now = ex.ended or ex.started
    if now < earlier:
        scopes = " ".join(sorted(str(s) for s in flow.requested))
        if ctx.known(Code.TOKEN_REFETCHED, scopes):  # a client that never reuses its tokens
            return
        yield make(
            Code.TOKEN_REFETCHED,
            [ex.id],
            detail=f"{scopes} fetched again {earlier - now:.0f}s before the earlier token expired",
            key=scopes,
        )


def _out_of_date(token: Token | None, when: float) -> bool:
    if token is None or not when:
        return False
    exp, nbf = token.claim_time("exp"), token.claim_time("nbf")
    return (exp is not None and when > exp) or (nbf is not None and when < nbf)


def insufficient_scope(ex: Exchange, ctx: Context) -> Iterator[Finding]:
    """A request with a token refused for lack of rights: what it needed, what the token held.

    Known from the auth flow (the token lacks an action the request needs) or from the registry's
    answer (`insufficient_scope`, DENIED, UNAUTHORIZED); one finding either way.
    """
    cred = ctx.recorded.credential
    if ex.status not in (401, 403) or cred is None or not cred.is_bearer:
        return
    if _out_of_date(cred.token, ex.started) or any(
        "invalid_token" in v for v in ex.resp_all("www-authenticate")
    ):
        return  # refused for its time or validity (TOKEN_EXPIRED says so), not for its scope
    flow = ctx.token_flows.get(cred.fingerprint)
    gap: ScopeGap | None = flow.needed_not_granted[0] if flow and flow.needed_not_granted else None
    error = registry_error_code(ex.resp_body)
    said = any("insufficient_scope" in v for v in ex.resp_all("www-authenticate"))
    if gap is None and not (said or error in REFUSALS):
        return
    needed: str | None
    if gap is not None:
        needed = f"{gap.type}:{gap.name}:{','.join(gap.missing)}"
        held = [f"{gap.type}:{gap.name}:{a}" for a in gap.granted]
        detail = (
            f"{ex.method} {ex.path} needs {','.join(gap.missing)} on {gap.type}:{gap.name};"
            f" the token holds [{','.join(gap.granted)}]"
        )
        key = needed
    else:
        scope = needed_scope(ex.method, ex.path)
        needed = str(scope) if scope else None
        token = cred.token
        held = [f"{a.type}:{a.name}:{','.join(a.actions)}" for a in (token.access if token else [])]
        detail = (
            f"{ex.method} {ex.path} refused ({error or 'insufficient_scope'}); needs "
            f"{needed or 'unknown scope'}; token holds {held or 'nothing'}"
        )
        key = needed or f"{ex.authority}{ex.parts.path}"
    yield make(
        Code.INSUFFICIENT_SCOPE,
        [ex.id],
        detail=detail,
        key=key,
        evidence=RefusalEvidence(needed=needed, held=held, registry_error=error),
    )
