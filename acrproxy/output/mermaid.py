"""The sequence diagrams as Mermaid text (GitHub, GitLab and Azure DevOps render it)."""

from __future__ import annotations

import re

from acrproxy.output.sequence import Diagram, diagrams
from acrproxy.report import Report

_UNSAFE = re.compile(r"[^A-Za-z0-9 ./:_,=()@*+\[\]-]")
_ALIAS = {"client": "C", "registry": "R", "token service": "T", "storage": "S"}


def label(text: str) -> str:
    """Text Mermaid cannot misread: no ;, #, <, > or line breaks (they end or escape a line)."""
    return _UNSAFE.sub(" ", text)[:160].strip() or "-"


def diagram(d: Diagram) -> str:
    lines = ["sequenceDiagram"]
    for lane, who in d.lanes.items():
        lines.append(f"    participant {_ALIAS[lane]} as {label(lane.value.title())} {label(who)}")
    notes = sorted(d.notes, key=lambda n: n.after)
    for i, m in enumerate(d.messages, 1):
        arrow = "-->>" if m.response else "->>"
        lines.append(f"    {_ALIAS[m.sender]}{arrow}{_ALIAS[m.receiver]}: {label(m.label)}")
        for n in notes:
            if n.after == i:
                lines.append(f"    Note over {_ALIAS[n.lane]}: {label(n.text)}")
    if d.more:
        lines.append(f"    Note over C: {d.more} more requests not drawn")
    return "\n".join(lines)


def render(report: Report) -> str:
    blocks = [f"%% {label(d.title)}\n{diagram(d)}" for d in diagrams(report)]
    return "\n\n".join(blocks) + "\n" if blocks else "%% no auth flow or registry request\n"
