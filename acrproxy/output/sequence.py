"""Sequence diagrams as data: who sent what to whom in an auth flow, in order.

Mermaid (text) and the HTML report (inline SVG) both draw from `diagrams(report)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from acrproxy.authflow import AuthFlow, Step
from acrproxy.report import ExchangeRecord, Report

MAX_MESSAGES = 40
MAX_DIAGRAMS = 50


class Lane(StrEnum):
    CLIENT = "client"
    REGISTRY = "registry"
    TOKEN = "token service"
    STORAGE = "storage"


@dataclass
class Message:
    sender: Lane
    receiver: Lane
    label: str
    response: bool = False
    exchange_id: str = ""
    findings: list[str] = field(default_factory=list)


@dataclass
class Note:
    lane: Lane
    text: str
    after: int
    """Shown after this many messages."""


@dataclass
class Diagram:
    title: str
    anchor: str
    lanes: dict[Lane, str]
    """Each lane's participant: the client's address, the hosts."""
    messages: list[Message] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    more: int = 0
    """Messages left out beyond MAX_MESSAGES."""


def _lane(r: ExchangeRecord) -> Lane:
    if r.step is Step.TOKEN_REQUEST:
        return Lane.TOKEN
    if r.follows is not None:
        return Lane.STORAGE
    return Lane.REGISTRY


def short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else f"...{text[-(n - 3) :]}"


def _request_label(r: ExchangeRecord) -> str:
    who = f" ({r.credential})" if r.credential else ""
    return f"{r.method} {short(r.target)}{who}"


def _response_label(r: ExchangeRecord, flow: AuthFlow | None) -> str:
    if r.status is None:
        return f"no response: {r.error or 'error'}"
    text = str(r.status)
    if r.status == 401 and r.step is Step.CHALLENGE:
        text += " get a token"
    elif r.status in (301, 302, 303, 307, 308):
        text += " redirect to storage"
    elif r.step is Step.TOKEN_REQUEST and flow and flow.token and flow.token.response:
        resp = flow.token.response
        tok = resp.token or resp.refresh_token
        if tok is not None:
            text += f" token {tok.fingerprint}"
    elif r.blob_verified:
        text += " (sha256 verified)"
    return text


def _diagram(
    title: str, anchor: str, records: list[ExchangeRecord], flow: AuthFlow | None
) -> Diagram:
    lanes: dict[Lane, str] = {Lane.CLIENT: records[0].client or "client"}
    d = Diagram(title, anchor, lanes)
    for r in records:
        lane = _lane(r)
        lanes.setdefault(lane, r.host)
        if len(d.messages) >= MAX_MESSAGES:
            d.more += 1
            continue
        codes = [str(c) for c in r.findings]
        d.messages.append(Message(Lane.CLIENT, lane, _request_label(r), exchange_id=r.id))
        d.messages.append(Message(lane, Lane.CLIENT, _response_label(r, flow), True, r.id, codes))
        if flow is not None and r.step is Step.TOKEN_REQUEST and flow.token is not None:
            asked = " ".join(str(s) for s in flow.token.request.scopes) or "(login only)"
            d.notes.append(Note(Lane.TOKEN, f"asked: {asked}", len(d.messages) - 1))
            granted = " ".join(str(s) for s in flow.granted) or "nothing"
            d.notes.append(Note(Lane.TOKEN, f"granted: {granted}", len(d.messages)))
        for code in codes:
            d.notes.append(Note(lane, f"finding {code}", len(d.messages)))
    order = [Lane.CLIENT, Lane.REGISTRY, Lane.TOKEN, Lane.STORAGE]
    d.lanes = {k: lanes[k] for k in order if k in lanes}
    return d


def diagrams(report: Report) -> list[Diagram]:
    """One diagram per auth flow (the first MAX_DIAGRAMS), and one for requests outside any."""
    out = []
    covered: set[str] = set()
    for flow in report.auth_flows[:MAX_DIAGRAMS]:
        ids = set(flow.exchange_ids())
        mine = [r for r in report.exchanges if r.id in ids or r.auth_flow_id == flow.id]
        mine_ids = {r.id for r in mine}
        mine += [r for r in report.exchanges if r.follows in mine_ids and r.id not in mine_ids]
        mine.sort(key=lambda r: r.started)
        covered |= {r.id for r in mine}
        if mine:
            out.append(_diagram(f"Auth flow #{flow.id}", f"auth-flow-{flow.id}", mine, flow))
    rest = [r for r in report.exchanges if r.id not in covered]
    if rest:
        out.append(_diagram("Requests outside any auth flow", "other-requests", rest, None))
    return out
