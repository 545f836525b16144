"""The report as a story a person follows without reading a header: what was pulled or pushed,
each auth flow step by step, and each finding in words.

`story(report)` returns the sections as data (the HTML and Markdown formats show the same
words); `render(report)` is the plain-text format.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field

from acrproxy.authflow import AuthFlow
from acrproxy.output.words import (
    plural,
    sentence_list,
    size,
    token_client,
    validity,
)
from acrproxy.report import ExchangeRecord, Report, Role
from acrproxy.tokens import Token


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    anchor: str = ""


def story(report: Report) -> list[Section]:
    """The whole story: a summary, image operations, each auth flow, each finding."""
    by_id = {r.id: r for r in report.exchanges}
    sections = [_summary(report)]
    ops = _operations(report.exchanges)
    if ops:
        sections.append(Section("What the clients did", ops, "operations"))
    anonymous = _basic_only(report)
    if anonymous:
        sections.append(Section("Requests without a token", anonymous, "basic"))
    redirects = _redirects(report.exchanges, by_id)
    if redirects:
        sections.append(Section("Redirects to storage", redirects, "redirects"))
    for flow in report.auth_flows:
        sections.append(
            Section(
                f"Auth flow #{flow.id}: {flow.client or 'a client'} and {flow.registry}",
                _auth_flow(flow, report.exchanges, by_id),
                f"auth-flow-{flow.id}",
            )
        )
    for f in report.findings:
        detail = f.detail if not f.detail or f.detail.endswith(".") else f"{f.detail}."
        text = f"{f.title}. {detail}".strip()
        sections.append(
            Section(
                f"Finding {f.code} ({f.severity.value})",
                [text, f"Why this matters: {f.explanation}", f"What to do: {f.advice}"],
                f"finding-{f.code}",
            )
        )
    return sections


def render(report: Report) -> str:
    out: list[str] = []
    for s in story(report):
        out.append(s.title)
        out.append("=" * min(len(s.title), 100))
        for p in s.paragraphs:
            out.append(textwrap.fill(p, 100))
            out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- the sections ----------------------------------------------------------------------------
def _summary(report: Report) -> Section:
    clients = sorted({r.client for r in report.exchanges if r.client})
    failed = [r for r in report.exchanges if r.status is None or r.status >= 400]
    worst = max((f.severity.rank for f in report.findings), default=-1)
    if not report.exchanges:
        outcome = "The capture holds no request."
    elif worst >= 2:
        outcome = (
            f"Something went wrong: {plural(len(report.findings), 'finding')} below "
            f"{'explains' if len(report.findings) == 1 else 'explain'} what and what to do."
        )
    elif failed:
        outcome = (
            f"{plural(len(failed), 'request')} failed or {'was' if len(failed) == 1 else 'were'}"
            " refused; the auth flows below say whether that was part of the normal dance "
            "(a 401 first, then a token) or a real problem."
        )
    else:
        outcome = "Everything the clients asked for was answered."
    parts = [
        f"The capture holds {plural(report.requests, 'request')} from "
        f"{sentence_list(clients) or 'clients'} to {sentence_list(report.hosts) or 'no host'}, "
        f"and {plural(len(report.auth_flows), 'auth flow')}.",
        outcome,
    ]
    if report.dropped_exchanges:
        parts.append(f"Only the newest {len(report.exchanges)} requests are listed.")
    return Section("Summary", parts, "summary")


def _operations(records: list[ExchangeRecord]) -> list[str]:
    repos: dict[tuple[str, str], list[ExchangeRecord]] = defaultdict(list)
    for r in records:
        if r.repository:
            repos[(r.host, r.repository)].append(r)
    out = []
    for (host, repo), rs in repos.items():
        out += [p for p in (_pull(host, repo, rs), _push(host, repo, rs)) if p]
    return out


def _pull(host: str, repo: str, rs: list[ExchangeRecord]) -> str:
    manifests = [r for r in rs if r.role is Role.MANIFEST and r.method in ("GET", "HEAD")]
    ok = [r for r in manifests if r.status == 200]
    blobs = [r for r in rs if r.role is Role.BLOB and r.method == "GET"]
    if not manifests and not blobs:
        return ""
    refs = sentence_list(sorted({r.reference for r in ok if not r.reference.startswith("sha256:")}))
    text = f"Pulled from {repo} on {host}" + (f" (tag {refs})" if refs else "") + ": "
    parts = []
    for r in ok:
        m = r.manifest
        if m is not None and m.index:
            chosen = sentence_list(m.platforms[:6]) or "no platform listed"
            parts.append(f"an index listing {plural(len(m.platforms), 'platform')} ({chosen})")
        elif m is not None:
            parts.append(f"a manifest of {plural(m.layers, 'layer')} ({size(m.size)})")
    if manifests and not ok:
        parts.append(f"{plural(len(manifests), 'manifest request')}, none answered 200")
    elif ok and not parts:
        parts.append(f"{plural(len(ok), 'manifest')} fetched")
    if blobs:
        redirected = [r for r in blobs if r.status in (301, 302, 303, 307, 308)]
        got = [r for r in blobs if r.status == 200]
        blob_text = f"{plural(len(blobs), 'blob request')}"
        if redirected:
            blob_text += f", {len(redirected)} redirected to storage"
        if got:
            blob_text += f", {len(got)} served by the registry itself"
        parts.append(blob_text)
    return text + "; ".join(parts) + "."


def _push(host: str, repo: str, rs: list[ExchangeRecord]) -> str:
    uploads = [r for r in rs if r.role is Role.UPLOAD]
    puts = [r for r in rs if r.role is Role.MANIFEST and r.method == "PUT"]
    if not uploads and not puts:
        return ""
    started = [r for r in uploads if r.method == "POST"]
    mounted = [r for r in started if r.status == 201]
    finished = [r for r in uploads if r.method == "PUT" and r.status == 201]
    refused = [r for r in uploads + puts if r.status in (401, 403)]
    parts = []
    if started:
        parts.append(f"{plural(len(started), 'upload session')} started")
    if mounted:
        parts.append(f"{plural(len(mounted), 'blob')} mounted from another repository (no upload)")
    if finished:
        parts.append(f"{plural(len(finished), 'blob')} uploaded")
    for r in puts:
        verb = "stored" if r.status in (200, 201) else f"answered {r.status or r.error}"
        parts.append(f"the manifest {r.reference} {verb}")
    if refused:
        parts.append(f"{plural(len(refused), 'request')} refused for lack of rights")
    return f"Pushed to {repo} on {host}: " + "; ".join(parts) + "."


def _basic_only(report: Report) -> list[str]:
    """Requests that carried Basic credentials straight to the registry (ECR, some Harbors)."""
    direct = [
        r
        for r in report.exchanges
        if r.credential.startswith("Basic") and r.role is not Role.AUTH and r.repository
    ]
    if not direct:
        return []
    users = sentence_list(
        sorted({r.credential.removeprefix("Basic ").strip() or "?" for r in direct})
    )
    return [
        f"{plural(len(direct), 'request')} sent Basic credentials (as {users}) straight to the "
        "registry, with no token exchange: registries such as ECR work that way. The password "
        "itself is never shown; anyone who can read such traffic can reuse it, so it must only "
        "ever travel over HTTPS."
    ]


def _redirects(records: list[ExchangeRecord], by_id: dict[str, ExchangeRecord]) -> list[str]:
    """Where the registry sent clients for blob bytes, and whether credentials followed."""
    out = []
    by_host: dict[str, list[ExchangeRecord]] = defaultdict(list)
    for r in records:
        if r.follows is not None:
            by_host[r.host].append(r)
    for host, hops in by_host.items():
        first = by_id.get(hops[0].follows or "")
        origin = first.host if first else "the registry"
        carried = [r for r in hops if r.credential]
        statuses = sentence_list(sorted({str(r.status or r.error) for r in hops}))
        text = (
            f"{origin} redirected {plural(len(hops), 'request')} to {host} (blob storage), "
            f"which answered {statuses}. "
        )
        if carried:
            text += (
                f"The client sent its {carried[0].credential.split()[0]} credential along "
                f"{'each time' if len(carried) == len(hops) else f'{len(carried)} times'}: "
                "storage must never see a registry credential (CREDENTIAL_LEAK_ON_REDIRECT "
                "below says what to change)."
            )
        else:
            text += "The client sent no registry credential there, as it should."
        out.append(text)
    return out


def _who(flow: AuthFlow) -> str:
    assert flow.token is not None
    who = token_client(flow.token.request)
    return (
        f"{who} (from an earlier login)"
        if flow.token.request.credential == ("refresh_token")
        else who
    )


def _token(token: Token, issued: float | None, used: float | None) -> str:
    label = token.label or ("an opaque token" if token.kind == "opaque" else "a JWT")
    text = f"{label} {token.fingerprint}"
    exp = token.claim_time("exp")
    start = token.claim_time("iat") or token.claim_time("nbf") or issued
    if exp is not None:
        text += f", {validity(exp, start, used)}"
    return text


def _auth_flow(
    flow: AuthFlow, records: list[ExchangeRecord], by_id: dict[str, ExchangeRecord]
) -> list[str]:
    out: list[str] = []
    if flow.challenge is not None:
        first = by_id.get(flow.challenge.exchange_id)
        target = first.target if first else flow.challenge.url
        cred = f" with {first.credential}" if first and first.credential else " without credentials"
        out.append(f"The client asked the registry {flow.registry} for {target}{cred}.")
        bearer = next((c for c in flow.challenge.challenges if c.is_bearer), None)
        if bearer is not None and bearer.error == "insufficient_scope":
            out.append(
                "The registry refused it (401 insufficient_scope): the token the client sent does "
                f"not hold {' '.join(str(s) for s in bearer.scopes) or 'what the request needs'}."
            )
        elif bearer is not None:
            scope = " ".join(str(s) for s in bearer.scopes) or "no particular scope"
            out.append(
                f"The registry answered 401 (unauthorized): get a token from {bearer.realm} for "
                f"service {bearer.service or '(none named)'} with scope {scope}."
            )
    if flow.token is None:
        out.append(
            "The client did not ask for a new token after this (it gave up, or the capture ended)."
        )
        return out
    req = flow.token.request
    asked = " ".join(str(s) for s in req.scopes) or "no scope (a login check only)"
    verb = {"get": "asked", "oauth2": "posted a token request to", "acr_exchange": "exchanged"}[
        req.kind
    ]
    if req.kind == "acr_exchange":
        fp = req.credential_fingerprint or "?"
        out.append(
            f"The client {verb} an Entra ID (AAD) access token {fp} at {req.endpoint} for "
            "an ACR refresh token (what `az acr login` does)."
        )
    else:
        grant = (
            f" (grant type {req.grant_type})"
            if req.grant_type and req.credential != ("refresh_token")
            else ""
        )
        target = "the token service" if req.kind == "get" else ""
        out.append(
            f"The client {verb} {target} {req.endpoint} {_who(flow)}{grant}, for {asked}.".replace(
                "  ", " "
            )
        )
    status = flow.token.status
    resp = flow.token.response
    if status is None:
        out.append(f"The token service did not answer: {flow.token.error or 'no response'}.")
    elif not 200 <= status < 300:
        out.append(
            f"The token service refused with {status}: no token, so the client could not "
            "go on (wrong credentials, or a firewall rule)."
        )
    elif resp is not None:
        granted = " ".join(str(s) for s in flow.granted) or "nothing"
        retry = by_id.get(flow.retry.exchange_id) if flow.retry else None
        if resp.token is not None:
            used = retry.started if retry else None
            text = f"It answered {status} with {_token(resp.token, flow.token.issued, used)}"
            if resp.refresh_token is not None:
                text += f", plus a refresh token {resp.refresh_token.fingerprint} for later logins"
            out.append(f"{text}. The token grants {granted}.")
        elif resp.refresh_token is not None:
            out.append(
                f"It answered {status} with {_token(resp.refresh_token, flow.token.issued, None)}"
                ": a refresh token, which the client trades for access tokens next."
            )
        for gap in flow.not_granted:
            out.append(
                f"That is less than asked: {flow.account or 'the account'} may not "
                f"{sentence_list(gap.missing)} on {gap.name}. The token service grants only what "
                "the account is allowed; the request that needs the rest will be refused."
            )
    if flow.retry is not None:
        r = by_id.get(flow.retry.exchange_id)
        target = r.target if r else flow.retry.url
        result = flow.retry.status or flow.retry.error
        ok = isinstance(result, int) and result < 400
        out.append(
            f"The client retried with the token: {flow.retry.method} {target} answered "
            f"{result}" + (" — it worked." if ok else " — refused.")
        )
    for gap in flow.needed_not_granted:
        out.append(
            f"The registry needed {sentence_list(gap.missing)} on {gap.name}, which the "
            "token does not hold."
        )
    out += _uses(flow, records, by_id)
    return out


def _uses(
    flow: AuthFlow, records: list[ExchangeRecord], by_id: dict[str, ExchangeRecord]
) -> list[str]:
    retry = flow.retry.exchange_id if flow.retry else None
    uses = [r for r in records if r.auth_flow_id == flow.id and r.id not in flow.exchange_ids()]
    if not uses and retry is None:
        return []
    out = []
    if uses:
        kinds: dict[str, int] = defaultdict(int)
        for r in uses:
            kinds[r.role.value] += 1
        what = sentence_list(
            [plural(n, k if k != "other" else "other request") for k, n in kinds.items()]
        )
        out.append(f"With the same token it then made {plural(len(uses), 'more request')}: {what}.")
    ids = {r.id for r in uses} | ({retry} if retry else set())
    hops = [r for r in records if r.follows in ids]
    if hops:
        hosts = sentence_list(sorted({r.host for r in hops}))
        leaked = [r for r in hops if r.credential]
        if leaked:
            out.append(
                f"The registry redirected {plural(len(hops), 'blob request')} to the "
                f"storage host {hosts}, and the client sent its credential there too: a "
                "leak (see CREDENTIAL_LEAK_ON_REDIRECT)."
            )
        else:
            out.append(
                f"The registry redirected {plural(len(hops), 'blob request')} to the "
                f"storage host {hosts}, and the client correctly sent no token there."
            )
        verified = [r for r in hops if r.blob_verified]
        if verified:
            out.append(f"{plural(len(verified), 'blob')} arrived intact (sha256 verified).")
    return out
