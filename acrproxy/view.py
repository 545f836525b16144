"""What acrproxy prints: request lines, auth-flow trees, findings, the start banner. Pure:
functions return rich renderables; printing is the caller's. Never shows a secret."""

from __future__ import annotations

import datetime
from typing import Any

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from acrproxy.authflow import AuthFlow
from acrproxy.exchange import Exchange
from acrproxy.findings import Finding, Severity
from acrproxy.tokens import Token

SEVERITY_STYLE = {
    Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan", Severity.INFO: "dim",
}
STEP_MARK = {"challenge": "401 challenge", "token_request": "token", "retry": "retry"}


def human_size(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f}{unit}" if unit == "B" else f"{size:.1f}{unit}"
        size /= 1024
    return f"{n}B"


def human_time(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def human_delta(seconds: float) -> str:
    s = abs(int(seconds))
    text = f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def describe_target(path: str) -> str:
    """`team/app manifest v1`, `team/app blob sha256:1a2b3c4d`, ... from a /v2/ path."""
    path = path.split("?", 1)[0]
    if not path.startswith("/v2/") or path.rstrip("/") == "/v2":
        return path
    for marker, what in (("/manifests/", "manifest"), ("/blobs/uploads", "upload"),
                         ("/blobs/", "blob"), ("/tags/list", "tags")):
        i = path.find(marker)
        if i > 3:
            ref = path[i + len(marker):]
            if ref.startswith("sha256:"):
                ref = ref[:15]
            return f"{path[4:i]} {what} {ref}".rstrip()
    return path


def request_line(ex: Exchange, meta: dict[str, Any]) -> Text:
    status = str(ex.status) if ex.status is not None else "ERR"
    style = "green" if ex.status and ex.status < 300 else "yellow" if ex.status and ex.status < 400 else "red"
    if ex.status == 401 and meta.get("step") == "challenge":
        style = "magenta"
    dur = f"{ex.duration * 1000:.0f}ms" if ex.duration is not None else "-"
    t = Text()
    t.append(f"{ex.method:<6} ", "bold")
    t.append(f"{status:<4}", style)
    t.append(f"{ex.parts.netloc} ", "dim")
    t.append(describe_target(ex.path) if ex.path.startswith("/v2/") else ex.parts.path)
    t.append(f"  {human_size(ex.resp_size)} {dur}", "dim")
    step = meta.get("step")
    if step in STEP_MARK:
        t.append(f"  [{STEP_MARK[step]} #{meta.get('auth_flow')}]", "magenta")
    if ex.error:
        t.append(f"  {ex.error}", "red")
    return t


def token_tree(tree: Tree, token: Token, now: float | None = None) -> None:
    if token.kind == "opaque":
        tree.add(f"opaque token {token.fingerprint} ({token.opaque_hint}); no claims to show")
        return
    c = token.claims
    tree.add(f"{token.label or 'JWT'} {token.fingerprint} [dim](unverified: signature not checked)[/]")
    if "iss" in c or "sub" in c:
        tree.add(f"issuer {c.get('iss', '-')!s}, subject {c.get('sub') or '(anonymous)'}, "
                 f"audience {c.get('aud', '-')!s}")
    exp = token.claim_time("exp")
    if exp is not None:
        rel = f" ({human_delta(exp - now)})" if now is not None else ""
        tree.add(f"expires {human_time(exp)}{rel}")
    for extra in ("grant_type", "tenant", "roles", "permissions"):
        if extra in c:
            tree.add(f"{extra}: {c[extra]}")
    if "access" in c:
        node = tree.add("access granted:" if token.access else "access granted: [bold red]none[/]")
        for a in token.access:
            acts = ",".join(a.actions) if a.actions else "[bold red]none (denied)[/]"
            more = f" {a.extra}" if a.extra else ""
            node.add(f"{a.type}:{a.name}: {acts}{more}")
    for key, inner in token.nested.items():
        token_tree(tree.add(f"nested JWT in claim {key!r}:"), inner, now)


def auth_flow_tree(flow: AuthFlow) -> Tree:
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
    if flow.challenge:
        ch = next((c for c in flow.challenge.challenges if c.is_bearer), flow.challenge.challenges[0])
        node = tree.add(f"1. challenge: 401 on {flow.challenge.method} "
                        f"{describe_target(_path(flow.challenge.url))}")
        node.add(f"{ch.scheme} realm={ch.realm} service={ch.service or '(none)'}")
        if ch.scopes:
            node.add("scope: " + " ".join(str(s) for s in ch.scopes))
        if ch.error:
            node.add(f"[red]error={ch.error}[/]")
    if flow.token:
        req = flow.token.request
        who = req.username or req.account or "anonymous"
        node = tree.add(f"2. token request: {req.kind.upper()} {req.endpoint} as {who}"
                        f" -> {flow.token.status or flow.token.error}")
        node.add("scopes asked: " + (" ".join(str(s) for s in req.scopes) or "(none: login only)"))
        for note in req.notes:
            node.add(f"[dim]{note}[/]")
        resp = flow.token.response
        if resp is not None and resp.token is not None:
            token_tree(tree.add("3. token:"), resp.token, flow.token.issued)
        elif flow.token.response_error:
            tree.add(f"3. token: [red]{flow.token.response_error}[/]")
    for gap in flow.not_granted:
        tree.add(f"[yellow]asked but not granted: {gap.type}:{gap.name} "
                 f"missing {','.join(gap.missing)}[/]")
    if flow.retry:
        tree.add(f"4. retry: {flow.retry.method} {describe_target(_path(flow.retry.url))} "
                 f"-> {flow.retry.status or flow.retry.error}")
    for gap in flow.needed_not_granted:
        tree.add(f"[red]needed but not held: {gap.type}:{gap.name} {','.join(gap.missing)}[/]")
    return tree


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


def finding_text(f: Finding, verbose: bool = True) -> Group | Text:
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


def banner(host: str, port: int, ca_cert: str) -> Group:
    proxy = f"http://{host}:{port}"
    lines = [
        Text(f"acrproxy listening on {proxy}", "bold green"),
        Text(f"CA certificate (clients must trust it): {ca_cert}"),
        Text("Point a client at it:", "bold"),
        Text(f"  skopeo:  HTTPS_PROXY={proxy} skopeo inspect --cert-dir DIR docker://HOST/REPO:TAG"
             f"   (DIR holds a copy of the CA as ca.crt)"),
        Text(f"  curl:    curl --proxy {proxy} --cacert {ca_cert} https://HOST/v2/"),
        Text("  dockerd: /etc/systemd/system/docker.service.d/http-proxy.conf:"),
        Text(f'           [Service]\n           Environment="HTTP_PROXY={proxy}" "HTTPS_PROXY={proxy}"'),
        Text(f"           then trust the CA: cp {ca_cert} /usr/local/share/ca-certificates/"
             "acrproxy.crt && update-ca-certificates && systemctl daemon-reload && "
             "systemctl restart docker"),
        Text("  Go clients never proxy localhost or 127.x registries: use a host name.", "dim"),
        Text("  Restore the client's proxy settings when you are done.", "dim"),
    ]
    return Group(*lines)
