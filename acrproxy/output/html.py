"""The report as one self-contained HTML file: summary, findings, the story with a sequence
diagram per auth flow (inline SVG drawn here), decoded tokens, a waterfall and a filterable
request table. No network access: no CDN, font or script from elsewhere.

Every value from traffic reaches the page through Jinja2's autoescape (and has been through
redaction before, as in every output).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from acrproxy import __version__
from acrproxy.authflow import AuthFlow
from acrproxy.output import explain
from acrproxy.output.sequence import Diagram, Lane, diagrams, short
from acrproxy.output.words import duration, size
from acrproxy.redact import scrub_tree
from acrproxy.report import ExchangeRecord, Report, Role
from acrproxy.tokens import Token

LANE_GAP, TOP, ROW = 230, 56, 34
WATERFALL_ROWS = 1000
COLOURS = {
    Role.AUTH: "#8e44ad",
    Role.MANIFEST: "#2471a3",
    Role.BLOB: "#1e8449",
    Role.STORAGE: "#d68910",
    Role.UPLOAD: "#c0392b",
    Role.OTHER: "#7f8c8d",
}
PHASES = (
    ("connect", "#aab7b8"),
    ("tls", "#85929e"),
    ("send", "#5d6d7e"),
    ("wait", "#f4d03f"),
    ("receive", None),
)


@dataclass
class Arrow:
    x1: float
    x2: float
    y: float
    label: str
    response: bool
    exchange_id: str
    findings: list[str]


@dataclass
class SvgNote:
    x: float
    y: float
    text: str
    finding: bool


@dataclass
class SvgDiagram:
    title: str
    anchor: str
    width: float
    height: float
    lanes: list[tuple[float, str, str]]
    """x, role, participant."""
    arrows: list[Arrow]
    notes: list[SvgNote]
    more: int


def layout(d: Diagram) -> SvgDiagram:
    """Positions for a sequence diagram: one lane per participant, one row per message."""
    xs = {lane: 110 + i * LANE_GAP for i, lane in enumerate(d.lanes)}
    arrows, notes = [], []
    y = TOP + 30
    by_after: dict[int, list[str]] = {}
    for n in d.notes:
        by_after.setdefault(n.after, []).append(n.text)
    note_lane = {n.after: n.lane for n in d.notes}
    for i, m in enumerate(d.messages, 1):
        arrows.append(
            Arrow(
                xs[m.sender],
                xs[m.receiver],
                y,
                short(m.label, 70),
                m.response,
                m.exchange_id,
                m.findings,
            )
        )
        y += ROW
        for text in by_after.get(i, []):
            notes.append(
                SvgNote(xs[note_lane[i]], y - 8, short(text, 60), text.startswith("finding"))
            )
            y += 26
    lanes = [(float(xs[lane]), lane.value, short(who, 34)) for lane, who in d.lanes.items()]
    width = 110 + (len(d.lanes) - 1) * LANE_GAP + 140
    return SvgDiagram(d.title, d.anchor, width, y + 20, lanes, arrows, notes, d.more)


@dataclass
class Bar:
    n: int
    record: ExchangeRecord
    x: float
    w: float
    colour: str
    phases: list[tuple[float, float, str]]
    """x, width, colour of each phase segment."""


@dataclass
class Waterfall:
    bars: list[Bar]
    width: float
    height: float
    span: float
    ticks: list[tuple[float, str]]


def waterfall(records: list[ExchangeRecord], width: float = 760) -> Waterfall:
    """Every request on one time axis, coloured by role, split into phases when known."""
    shown = records[-WATERFALL_ROWS:]
    if not shown:
        return Waterfall([], width, 0, 0, [])
    t0 = min(r.started for r in shown)
    end = max(r.started + (r.duration_ms or 0) / 1000 for r in shown)
    span = max(end - t0, 0.001)
    scale = width / span
    bars = []
    for n, r in enumerate(shown):
        x = (r.started - t0) * scale
        w = max((r.duration_ms or 0) / 1000 * scale, 2.0)
        phases: list[tuple[float, float, str]] = []
        if r.timings is not None:
            px = x
            for name, colour in PHASES:
                ms = getattr(r.timings, name)
                if ms:
                    pw = ms / 1000 * scale
                    phases.append((px, pw, colour or COLOURS[r.role]))
                    px += pw
        bars.append(Bar(n + 1, r, x, w, COLOURS[r.role], phases))
    ticks = [
        (i * width / 4, duration(span * i / 4) if span >= 1 else f"{span * i / 4 * 1000:.0f}ms")
        for i in range(5)
    ]
    return Waterfall(bars, width, len(bars) * 14 + 24, span, ticks)


def token_rows(flows: list[AuthFlow], limit: int = 50) -> list[dict[str, Any]]:
    """Each distinct token issued, decoded (claims are redacted like everything else)."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for flow in flows:
        resp = flow.token.response if flow.token else None
        for kind, tok in (
            ("token", resp.token if resp else None),
            ("refresh token", resp.refresh_token if resp else None),
        ):
            if tok is None or tok.fingerprint in seen or len(out) >= limit:
                continue
            seen.add(tok.fingerprint)
            out.append(_token_row(flow, kind, tok))
    return out


def _token_row(flow: AuthFlow, kind: str, tok: Token) -> dict[str, Any]:
    exp, iat = tok.claim_time("exp"), tok.claim_time("iat") or tok.claim_time("nbf")
    validity = ""
    if exp is not None:
        when = datetime.datetime.fromtimestamp(exp, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        validity = f"expires {when}" + (f", valid {duration(exp - iat)}" if iat else "")
    return {
        "flow": flow.id,
        "kind": kind,
        "label": tok.label or tok.kind,
        "fingerprint": tok.fingerprint,
        "validity": validity,
        "access": [
            f"{a.type}:{a.name}: {','.join(a.actions) or 'none (denied)'}" for a in tok.access
        ],
        "claims": {k: v for k, v in tok.claims.items() if k != "access"},
    }


_env = Environment(
    loader=PackageLoader("acrproxy", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(report: Report) -> str:
    sections = explain.story(report)
    by_flow = {
        f"auth-flow-{d.anchor.split('-')[-1]}": layout(d)
        for d in diagrams(report)
        if d.anchor.startswith("auth-flow-")
    }
    other = [layout(d) for d in diagrams(report) if not d.anchor.startswith("auth-flow-")]
    findings = sorted(report.findings, key=lambda f: -f.severity.rank)
    number = {r.id: n for n, r in enumerate(report.exchanges, 1)}
    html = _env.get_template("report.html.j2").render(
        report=report,
        version=__version__,
        summary=sections[0],
        operations=[s for s in sections[1:] if not s.anchor.startswith(("auth-flow-", "finding-"))],
        flows=[s for s in sections if s.anchor.startswith("auth-flow-")],
        diagrams=by_flow,
        other_diagrams=other,
        findings=findings,
        number=number,
        tokens=token_rows(report.auth_flows),
        waterfall=waterfall(report.exchanges),
        colours={r.value: c for r, c in COLOURS.items()},
        phases=[(n, c) for n, c in PHASES if c],
        hosts=sorted({r.host for r in report.exchanges}),
        statuses=sorted({str(r.status) if r.status else "error" for r in report.exchanges}),
        codes=sorted({str(c) for r in report.exchanges for c in r.findings}),
        size=size,
        lanes=Lane,
        claims_json=_claims,
    )
    return html


def _claims(claims: dict[str, Any]) -> str:
    return json.dumps(scrub_tree(claims), indent=1, default=str)[:4000]
