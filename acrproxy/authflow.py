"""Auth flows: 401 challenge -> token request -> token -> retried request, per client and registry.

The recorder correlates exchanges as they complete and compares the scopes *requested* (token
request), *granted* (the token's `access` claim) and *needed* (the challenge, and the requests the
token was used for). A token server grants the intersection of what was asked and what is allowed;
an empty `actions` list is how "denied" looks.
"""

from __future__ import annotations

import functools
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, TypeVar

from pydantic import BaseModel, Field

from acrproxy.challenge import Challenge, parse_www_authenticate
from acrproxy.errors import ParseError
from acrproxy.exchange import Exchange
from acrproxy.fingerprint import fingerprint
from acrproxy.redact import redact_url, scrub
from acrproxy.registry_api import is_token_path, needed_scope, registry_error_code
from acrproxy.scopes import Scope, covers, merge_scopes
from acrproxy.sensitive import CACHED_VALUE_MAX, KEPT_VALUE_MAX, MAX_AUTH_FLOWS, MAX_TRACKED
from acrproxy.tokenreq import (
    TokenRequest,
    TokenResponse,
    parse_token_request,
    parse_token_response,
)
from acrproxy.tokens import Credential, parse_authorization

K = TypeVar("K")
V = TypeVar("V")
State = Literal["challenged", "token_requested", "token_issued", "token_failed", "completed"]
ENDED: tuple[State, ...] = ("completed", "token_failed")


class Step(StrEnum):
    """What an exchange is in the auth flow it belongs to."""

    CHALLENGE = "challenge"
    """A 401 with a Bearer challenge: starts an auth flow."""
    TOKEN_REQUEST = "token_request"
    RETRY = "retry"
    """The first request sent with the flow's token."""
    REQUEST = "request"
    """Any other request (with a later use of a token, or none)."""


class ChallengeStep(BaseModel):
    exchange_id: str
    method: str
    url: str
    status: int
    challenges: list[Challenge]
    registry_error: str | None = None
    """The `errors[0].code` of the registry's JSON body, e.g. UNAUTHORIZED or DENIED."""


class TokenStep(BaseModel):
    exchange_id: str
    request: TokenRequest
    status: int | None = None
    error: str | None = None
    response: TokenResponse | None = None
    response_error: str | None = None
    issued: float | None = None
    expires_at: float | None = None


class RetryStep(BaseModel):
    exchange_id: str
    started: float | None = None
    method: str
    url: str
    status: int | None = None
    error: str | None = None


class ScopeGap(BaseModel):
    """Actions asked for (or needed) on one resource and not granted."""

    type: str
    name: str
    missing: list[str]
    granted: list[str]


class AuthFlow(BaseModel):
    """One auth flow, as recorded."""

    id: int
    client: str
    registry: str
    state: State = "challenged"
    challenge: ChallengeStep | None = None
    token: TokenStep | None = None
    retry: RetryStep | None = None
    uses: int = 0
    """Requests sent with this flow's token, the retry included."""
    requested: list[Scope] = Field(default_factory=list)
    granted: list[Scope] = Field(default_factory=list)
    needed: list[Scope] = Field(default_factory=list)
    not_granted: list[ScopeGap] = Field(default_factory=list)
    """Requested actions the token server did not grant."""
    needed_not_granted: list[ScopeGap] = Field(default_factory=list)
    """Actions the registry needed that the token does not hold."""
    account: str | None = None

    def exchange_ids(self) -> list[str]:
        steps = (self.challenge, self.token, self.retry)
        return [s.exchange_id for s in steps if s is not None]


class Lru(OrderedDict[K, V]):
    """A dict that forgets its oldest entries beyond `limit`."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        if key in self:
            super().__setitem__(key, value)
            self.move_to_end(key)
        else:
            super().__setitem__(key, value)
            while len(self) > self.limit:
                self.popitem(last=False)


def _short(value: str) -> str:
    """A value as the report keeps it: scrubbed, and shortened when very long."""
    if len(value) > KEPT_VALUE_MAX:
        value = f"{value[:KEPT_VALUE_MAX]}... ({len(value)} characters)"
    return scrub(value)


def _safe(c: Challenge) -> Challenge:
    """A challenge as the report keeps it: parameter values scrubbed of anything secret."""
    return c.model_copy(
        update={
            "params": {k[:KEPT_VALUE_MAX]: _short(v) for k, v in list(c.params.items())[:64]},
            "scope_errors": [_short(e) for e in c.scope_errors[:64]],
            "scopes": c.scopes[:256],
            "token68": fingerprint(c.token68) if c.token68 else None,
        }
    )


def kept(value: str, challenges: list[Challenge]) -> list[Challenge]:
    """A WWW-Authenticate value's challenges as the report keeps them; remembered for short
    values, like their parse (registries repeat the same few)."""
    if len(value) > CACHED_VALUE_MAX:
        return [_safe(c) for c in challenges]
    return list(_kept(value))


@functools.lru_cache(maxsize=512)
def _kept(value: str) -> tuple[Challenge, ...]:
    return tuple(_safe(c) for c in parse_www_authenticate(value))


def _text(value: str | None) -> str | None:
    return scrub(value) if value else value


def gaps(wanted: list[Scope], granted: list[Scope]) -> list[ScopeGap]:
    have = merge_scopes(granted)
    out = []
    for (kind, name), actions in merge_scopes(wanted).items():
        got = have.get((kind, name), set())
        missing = sorted(a for a in actions if not covers(got, a))
        if missing:
            out.append(ScopeGap(type=kind, name=name, missing=missing, granted=sorted(got)))
    return out


@dataclass(slots=True)
class Recorded:
    """What the recorder made of one exchange."""

    step: Step = Step.REQUEST
    auth_flow: AuthFlow | None = None
    """The auth flow this exchange belongs to (for a request: whose token it carried)."""
    challenged: AuthFlow | None = None
    """A new auth flow started by this exchange's 401 challenge."""
    credential: Credential | None = None
    completed: list[AuthFlow] = field(default_factory=list)
    """Auth flows that reached their outcome (retried, or token refused) with this exchange."""


class Recorder:
    """Correlates exchanges into auth flows. Feed exchanges in completion order.

    Bounded: it keeps the newest `MAX_AUTH_FLOWS` auth flows (`dropped` counts the others) and
    at most `MAX_TRACKED` open challenges, realms and issued tokens.
    """

    def __init__(self) -> None:
        self._flows: deque[AuthFlow] = deque(maxlen=MAX_AUTH_FLOWS)
        self.started = 0
        """How many auth flows were started (ids run from 1 to this)."""
        self._open: Lru[tuple[str, str], AuthFlow] = Lru(MAX_TRACKED)
        """(client, realm endpoint) -> the flow waiting for its token request."""
        self.token_flows: Lru[str, AuthFlow] = Lru(MAX_TRACKED)
        """token fingerprint -> the auth flow that issued it."""
        self.realms: Lru[str, None] = Lru(MAX_TRACKED)

    @property
    def flows(self) -> list[AuthFlow]:
        return list(self._flows)

    @property
    def dropped(self) -> int:
        return self.started - len(self._flows)

    def _new(self, client: str, registry: str) -> AuthFlow:
        self.started += 1
        flow = AuthFlow(id=self.started, client=client, registry=registry)
        self._flows.append(flow)
        return flow

    def feed(self, ex: Exchange) -> Recorded:
        """Record one exchange (in completion order)."""
        rec = Recorded()
        auth = ex.req("authorization")
        if auth:
            try:
                rec.credential = parse_authorization(auth)
            except ParseError:
                rec.credential = None
        endpoint = ex.url.split("?", 1)[0]
        if endpoint in self.realms or is_token_path(ex.parts.path):
            rec.step, rec.auth_flow = Step.TOKEN_REQUEST, self._token(ex, endpoint)
            if rec.auth_flow is not None and rec.auth_flow.state == "token_failed":
                rec.completed.append(rec.auth_flow)
            return rec
        cred = rec.credential
        if cred is not None and cred.is_bearer:
            used = self.token_flows.get(cred.fingerprint)
            if used is not None:
                first = used.retry is None
                self._use(used, ex)
                rec.step, rec.auth_flow = (Step.RETRY if first else Step.REQUEST), used
                if first:
                    rec.completed.append(used)
        if ex.status == 401:
            value = ", ".join(ex.resp_all("www-authenticate"))
            try:
                challenges = parse_www_authenticate(value) if value else []
            except ParseError:
                challenges = []
            bearer = next((c for c in challenges if c.is_bearer and c.realm), None)
            if bearer is not None:
                new = self._new(ex.client, ex.authority)
                new.challenge = ChallengeStep(
                    exchange_id=ex.id,
                    method=ex.method,
                    url=redact_url(ex.url),
                    status=401,
                    challenges=kept(value, challenges),
                    registry_error=registry_error_code(ex.resp_body),
                )
                new.needed = list(bearer.scopes)
                realm = (bearer.realm or "").split("?", 1)[0]
                self.realms[realm] = None
                self._open[(ex.client, realm)] = new
                rec.challenged = new
                if rec.auth_flow is None:
                    rec.step, rec.auth_flow = Step.CHALLENGE, new
        return rec

    def _token(self, ex: Exchange, endpoint: str) -> AuthFlow | None:
        try:
            req = parse_token_request(ex.method, ex.url, dict(ex.req_headers), ex.req_body)
        except ParseError:
            return None
        flow = self._open.pop((ex.client, endpoint), None)
        if flow is None:
            flow = self._new(ex.client, req.service or ex.authority)
        step = TokenStep(exchange_id=ex.id, request=req, status=ex.status, error=_text(ex.error))
        flow.token = step
        flow.requested = list(req.scopes)
        flow.account = req.account or req.username
        if ex.status is not None and 200 <= ex.status < 300 and ex.resp_body is not None:
            try:
                resp = parse_token_response(ex.resp_body)
            except ParseError as e:
                step.response_error = scrub(str(e))
            else:
                step.response = resp
                step.issued = ex.ended or ex.started
                step.expires_at = resp.expiry(step.issued)
                if resp.token is not None:
                    flow.granted = [
                        Scope(type=a.type, name=a.name, actions=tuple(a.actions))
                        for a in resp.token.access
                    ] or list(resp.granted_scope)
                    self.token_flows[resp.token.fingerprint] = flow
                flow.state = "token_issued"
                flow.not_granted = (
                    gaps(flow.requested, flow.granted)
                    if resp.token and (resp.token.kind == "jwt" or resp.granted_scope)
                    else []
                )
                return flow
        flow.state = "token_failed" if ex.status is None or ex.status >= 300 else "token_requested"
        return flow

    def _use(self, flow: AuthFlow, ex: Exchange) -> None:
        flow.uses += 1
        if flow.retry is None:
            flow.retry = RetryStep(
                exchange_id=ex.id,
                started=ex.started,
                method=ex.method,
                url=redact_url(ex.url),
                status=ex.status,
                error=_text(ex.error),
            )
            flow.state = "completed"
            if flow.challenge is None:
                # Opened by a token request (a realm the client already knew): until now only
                # the service name told where the token was for.
                flow.registry = ex.authority
        scope = needed_scope(ex.method, ex.path)
        if scope is not None and (ex.status in (401, 403) or flow.uses == 1):
            if scope not in flow.needed and len(flow.needed) < 256:
                flow.needed = [*flow.needed, scope]
        if (
            flow.token
            and flow.token.response
            and flow.token.response.token
            and (flow.token.response.token.kind == "jwt")
        ):
            flow.needed_not_granted = gaps(flow.needed, flow.granted)
