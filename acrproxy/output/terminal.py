"""What acrproxy shows in a terminal: request lines, auth-flow trees, tokens, findings, decoded
values, the start banner. Pure: functions return rich renderables; printing is the caller's.
Never shows a secret (the models hold none)."""

from __future__ import annotations

import datetime
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from acrproxy.authflow import AuthFlow, Step
from acrproxy.decode import (
    Decoded,
    DecodedAuthorization,
    DecodedBasic,
    DecodedChallenges,
    DecodedScopes,
    DecodeFailure,
)
from acrproxy.exchange import Exchange
from acrproxy.findings import Finding, Severity
from acrproxy.note import ExchangeNote
from acrproxy.output.words import plural, size, token_client, token_method, validity
from acrproxy.redact import scrub
from acrproxy.registry_api import Kind, describe_target
from acrproxy.report import Report
from acrproxy.tokenreq import TokenResponse
from acrproxy.tokens import Token


class ScrubbingWriter:
    """A text stream that scrubs everything written to it: the terminal's redaction net."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", "utf-8")


def console(stream: TextIO, **kw: object) -> Console:
    """A rich console whose output goes through redaction (every terminal output uses one).

    Off a terminal (a pipe, a file, a CI log) nothing is cut to 80 columns.
    """
    if "width" not in kw and not stream.isatty():
        kw["width"] = 10_000
    return Console(file=ScrubbingWriter(stream), soft_wrap=True, highlight=False, **kw)  # type: ignore[arg-type]


SEVERITY_STYLE = {
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
STEP_MARK = {Step.CHALLENGE: "401 challenge", Step.TOKEN_REQUEST: "token", Step.RETRY: "retry"}


def human_size(n: int | None) -> str:
    return size(n, compact=True)


def human_time(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def human_delta(seconds: float) -> str:
    s = abs(int(seconds))
    text = (
        f"{s // 3600}h{s % 3600 // 60:02d}m"
        if s >= 3600
        else f"{s // 60}m{s % 60:02d}s"
        if s >= 60
        else f"{s}s"
    )
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def request_line(ex: Exchange, note: ExchangeNote) -> Text:
    """One line per exchange: method, status, host, what it is about, size, time, its step."""
    status = str(ex.status) if ex.status is not None else "ERR"
    code = ex.status or 0
    style = "green" if 0 < code < 300 else "yellow" if 0 < code < 400 else "red"
    if code == 401 and note.step is Step.CHALLENGE:
        style = "magenta"
    dur = f"{ex.duration * 1000:.0f}ms" if ex.duration is not None else "-"
    t = Text()
    t.append(f"{ex.method:<6} ", "bold")
    t.append(f"{status:<4}", style)
    t.append(f"{ex.parts.netloc} ", "dim")
    t.append(describe_target(ex.path) if ex.api.kind is not Kind.OTHER else ex.parts.path)
    t.append(f"  {human_size(ex.resp_size)} {dur}", "dim")
    if note.step in STEP_MARK:
        t.append(f"  [{STEP_MARK[note.step]} #{note.auth_flow_id}]", "magenta")
    check = note.blob_verified
    if check is not None:
        t.append(
            "  sha256 verified" if check else "  sha256 MISMATCH", "green" if check else "bold red"
        )
    if ex.error:
        t.append(f"  {ex.error}", "red")
    return t


def token_tree(
    tree: Tree,
    token: Token,
    now: float | None = None,
    full: bool = False,
    used: float | None = None,
) -> None:
    """Add a token's decoded view under `tree`: a summary, or (`full`) its header and claims."""
    if token.kind == "opaque":
        tree.add(
            f"opaque token {token.fingerprint} ({escape(token.opaque_hint)}): not a JWT, "
            "nothing to decode"
        )
        return
    c = token.claims
    tree.add(
        f"{escape(token.label or 'JWT')} {token.fingerprint} "
        "[bold yellow](unverified: signature not checked)[/]"
    )
    if full:
        header = tree.add("header")
        for k, v in token.header.items():
            header.add(Text(f"{k}: {str(v)[:80]}"))
        claims = tree.add("claims")
        for k, v in c.items():
            if k == "access":
                continue
            when = (
                f"  ({human_time(v)})"
                if k in ("exp", "nbf", "iat")
                and isinstance(v, int | float)
                and not isinstance(v, bool)
                else ""
            )
            claims.add(Text(f"{k}: {v}{when}"))
    else:
        if "iss" in c or "sub" in c:
            tree.add(
                Text(
                    f"issuer {c.get('iss', '-')!s}, subject {c.get('sub') or '(anonymous)'}, "
                    f"audience {c.get('aud', '-')!s}"
                )
            )
        exp = token.claim_time("exp")
        if exp is not None:
            start = token.claim_time("iat") or token.claim_time("nbf") or now
            rel = validity(exp, start, used)
            tree.add(f"expires {human_time(exp)}" + (f" ({rel})" if rel else ""))
        for extra in ("grant_type", "tenant", "roles", "permissions"):
            if extra in c:
                tree.add(Text(f"{extra}: {c[extra]}"))
    if "access" in c:
        node = tree.add("access granted:" if token.access else "access granted: [bold red]none[/]")
        for a in token.access:
            acts = escape(",".join(a.actions)) if a.actions else "[bold red]none (denied)[/]"
            more = escape(f" {a.extra}") if a.extra else ""
            node.add(f"{escape(a.type)}:{escape(a.name)}: {acts}{more}")
    for key, inner in token.nested.items():
        token_tree(tree.add(Text(f"nested JWT in claim {key!r}:")), inner, now, full, used)


def auth_flow_tree(flow: AuthFlow) -> Tree:
    """An auth flow as a tree: challenge, token request, token, retry, and the scope gaps."""
    outcome = "?"
    if flow.retry is not None:
        outcome = str(flow.retry.status or flow.retry.error)
    elif flow.state == "token_failed":
        outcome = "token refused"
    ok = flow.retry is not None and flow.retry.status is not None and flow.retry.status < 300
    head = Text(f"auth flow #{flow.id} ", "bold")
    head.append(f"{flow.client} -> {flow.registry}: ", "dim")
    head.append(outcome, "green" if ok else "red")
    tree = Tree(head)
    if flow.challenge and flow.challenge.challenges:
        ch = next(
            (c for c in flow.challenge.challenges if c.is_bearer), flow.challenge.challenges[0]
        )
        node = tree.add(
            Text(
                f"1. challenge: 401 on {flow.challenge.method} "
                f"{describe_target(_path(flow.challenge.url))}"
            )
        )
        node.add(Text(f"{ch.scheme} realm={ch.realm} service={ch.service or '(none)'}"))
        if ch.scopes:
            node.add(Text("scope: " + " ".join(str(s) for s in ch.scopes)))
        if ch.error:
            node.add(Text(f"error={ch.error}", "red"))
    if flow.token:
        req = flow.token.request
        grant = f", grant type {req.grant_type}" if req.grant_type else ""
        node = tree.add(
            Text(
                f"2. token request: {token_method(req)} {req.endpoint} {token_client(req)}{grant}"
                f" -> {flow.token.status or flow.token.error}"
            )
        )
        node.add(
            Text("scopes asked: " + (" ".join(str(s) for s in req.scopes) or "(none: login only)"))
        )
        for note in req.notes:
            node.add(Text(note, "dim"))
        resp = flow.token.response
        used = flow.retry.started if flow.retry is not None else None
        if resp is not None and resp.token is not None:
            token_tree(tree.add("3. token:"), resp.token, flow.token.issued, used=used)
        elif resp is not None and resp.refresh_token is not None:
            token_tree(tree.add("3. refresh token:"), resp.refresh_token, flow.token.issued)
        elif flow.token.response_error:
            tree.add(Text(f"3. token: {flow.token.response_error}", "red"))
    for gap in flow.not_granted:
        tree.add(
            Text(
                f"asked but not granted: {gap.type}:{gap.name} missing {','.join(gap.missing)}",
                "yellow",
            )
        )
    if flow.retry:
        tree.add(
            Text(
                f"4. retry: {flow.retry.method} {describe_target(_path(flow.retry.url))} "
                f"-> {flow.retry.status or flow.retry.error}"
            )
        )
    for gap in flow.needed_not_granted:
        tree.add(Text(f"needed but not held: {gap.type}:{gap.name} {','.join(gap.missing)}", "red"))
    return tree


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


def finding_text(f: Finding, verbose: bool = True) -> Group | Text:
    """A finding: its code and title, and (verbose) the detail, why and fix."""
    head = Text()
    head.append(f"[{f.severity.value.upper()}] {f.code}", SEVERITY_STYLE[f.severity])
    head.append(f": {f.title}")
    if not verbose:
        return head
    parts: list[Text] = [head]
    if f.detail:
        parts.append(Text(f"  {f.detail}"))
    parts.append(Text(f"  why: {f.explanation}", "dim"))
    parts.append(Text(f"  fix: {f.advice}"))
    return Group(*parts)


def counts(report: Report) -> str:
    """`3 requests, 1 auth flow, 2 findings`."""
    return (
        f"{plural(report.requests, 'request')}, {plural(len(report.auth_flows), 'auth flow')}, "
        f"{plural(len(report.findings), 'finding')}"
    )


def report_view(report: Report) -> Group:
    """A whole report: a summary line, every auth flow's tree, every finding."""
    parts: list[RenderableType] = [Text(counts(report))]
    parts += [auth_flow_tree(af) for af in report.auth_flows]
    parts += [finding_text(f) for f in report.findings]
    return Group(*parts)


def decoded_view(d: Decoded) -> RenderableType:
    """What `acrproxy decode` shows for a decoded value."""
    if isinstance(d, Token):
        tree = Tree("token")
        token_tree(tree, d, full=True)
        return tree.children[0] if len(tree.children) == 1 else tree
    if isinstance(d, DecodedBasic):
        lines: list[RenderableType] = [
            Text(
                f"Basic credential: username {d.username!r}, password {d.password_fingerprint} "
                "(never shown)"
            )
        ]
        if d.note:
            lines.append(Text(f"  {d.note}"))
        if d.token is not None:
            lines.append(decoded_view(d.token))
        return Group(*lines)
    if isinstance(d, DecodedAuthorization):
        return Text(f"{d.scheme} credential {d.fingerprint} (never shown)")
    if isinstance(d, DecodedChallenges):
        trees = []
        for ch in d.challenges:
            t = Tree(Text(f"challenge: {ch.scheme}"))
            for k, v in ch.params.items():
                t.add(Text(f"{k} = {v}"))
            for sc in ch.scopes:
                t.add(Text(f"scope {sc.type}:{sc.name} actions {','.join(sc.actions) or '(none)'}"))
            trees.append(t)
        return Group(*trees)
    if isinstance(d, DecodedScopes):
        return Group(
            *(
                Text(f"{sc.type} {sc.name!r}: {', '.join(sc.actions) or '(no actions)'}")
                for sc in d.scopes
            )
        )
    if isinstance(d, TokenResponse):
        t = Tree(Text(f"token response: expires_in {d.expires_in}, issued_at {d.issued_at}"))
        for name, token in (("token", d.token), ("refresh_token", d.refresh_token)):
            if token is not None:
                sub = t.add(name)
                token_tree(sub, token, full=True)
        return t
    assert isinstance(d, DecodeFailure)
    return Text(d.message)


def banner(host: str, port: int, ca_cert: str) -> Group:
    proxy = f"http://{host}:{port}"
    lines = [
        Text(f"acrproxy listening on {proxy}", "bold green"),
        Text(f"CA certificate (clients must trust it): {ca_cert}"),
        Text("Point a client at it:", "bold"),
        Text(
            f"  skopeo:  HTTPS_PROXY={proxy} skopeo inspect --cert-dir DIR docker://HOST/REPO:TAG"
            f"   (DIR holds a copy of the CA as ca.crt)"
        ),
        Text(f"  curl:    curl --proxy {proxy} --cacert {ca_cert} https://HOST/v2/"),
        Text("  dockerd: /etc/systemd/system/docker.service.d/http-proxy.conf:"),
        Text("           [Service]"),
        Text(f'           Environment="HTTP_PROXY={proxy}" "HTTPS_PROXY={proxy}"'),
        Text(
            f"           then trust the CA: cp {ca_cert} /usr/local/share/ca-certificates/"
            "acrproxy.crt && update-ca-certificates && systemctl daemon-reload && "
            "systemctl restart docker"
        ),
        Text("  Go clients never proxy localhost or 127.x registries: use a host name.", "dim"),
        Text("  Restore the client's proxy settings when you are done.", "dim"),
    ]
    return Group(*lines)
