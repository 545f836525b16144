"""The report as ticket-ready Markdown: summary, findings table, a Mermaid diagram per auth
flow, and the full story and requests in `<details>` blocks."""

from __future__ import annotations

import re

from acrproxy.output import explain
from acrproxy.output.mermaid import diagram
from acrproxy.output.sequence import diagrams
from acrproxy.report import Report

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Traffic text as literal Markdown: no markup, no HTML, no table breaks."""
    return _SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def render(report: Report) -> str:
    sections = explain.story(report)
    out = ["# acrproxy report", ""]
    for p in sections[0].paragraphs:
        out += [md(p), ""]
    if report.findings:
        out += ["## Findings", "", "| severity | code | what |", "|---|---|---|"]
        for f in sorted(report.findings, key=lambda f: -f.severity.rank):
            out.append(f"| {f.severity.value} | `{f.code}` | {md(f.detail or f.title)} |")
        out.append("")
    for d in diagrams(report):
        out += [f"## {md(d.title)}", "", "```mermaid", diagram(d), "```", ""]
    out += ["<details><summary>The whole story</summary>", ""]
    for s in sections[1:]:
        out += [f"### {md(s.title)}", ""]
        out += [line for p in s.paragraphs for line in (md(p), "")]
    out += ["</details>", "", "<details><summary>Every request</summary>", ""]
    out += ["| # | method | host | what | status | findings |", "|---|---|---|---|---|---|"]
    for n, r in enumerate(report.exchanges, 1):
        status = str(r.status) if r.status is not None else md(r.error or "error")
        codes = ", ".join(f"`{c}`" for c in r.findings)
        out.append(f"| {n} | {md(r.method)} | {md(r.host)} | {md(r.target)} | {status} | {codes} |")
    out += ["", "</details>", ""]
    return "\n".join(out)
