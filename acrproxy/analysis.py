"""The analysis session: feeds exchanges to the auth-flow recorder and the finding detectors."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from publicsuffix2 import get_sld
from pydantic import BaseModel

from acrproxy.authflow import AuthFlow, Recorder, registry_error_code
from acrproxy.challenge import parse_www_authenticate
from acrproxy.errors import ParseError
from acrproxy.exchange import Exchange
from acrproxy.findings import Finding, Severity, make
from acrproxy.scopes import needed_scope

REDIRECTS = (301, 302, 303, 307, 308)
REDIRECT_WINDOW = 120.0
SIGNATURE_PARAMS = ("sig", "x-amz-signature", "x-goog-signature")
LEAKY_HEADERS = ("authorization", "proxy-authorization", "cookie")
_DIGEST_IN_PATH = re.compile(r"/blobs/(sha256:[0-9a-f]{64})$")


def origin(url: str) -> tuple[str, str, int]:
    p = urlsplit(url)
    port = p.port or (443 if p.scheme == "https" else 80)
    return (p.scheme, (p.hostname or "").lower(), port)


def registrable_domain(host: str) -> str:
    """eTLD+1 by the public suffix list; its default rule `*` for TLDs it does not list."""
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    return get_sld(host, strict=True) or ".".join(host.split(".")[-2:])


def leak_severity(first: str, target: str) -> Severity:
    """How bad a credential sent from `first`'s origin to `target`'s is (see README)."""
    (_, h1, _), (_, h2, _) = origin(first), origin(target)
    if h1 == h2:
        return Severity.LOW
    if registrable_domain(h1) != registrable_domain(h2):
        return Severity.HIGH
    return Severity.MEDIUM


class Report(BaseModel):
    """What a capture shows: findings and auth flows (the JSON report)."""

    tool: str = "acrproxy"
    findings: list[Finding] = []
    auth_flows: list[AuthFlow] = []
    requests: int = 0
    hosts: list[str] = []


@dataclass(slots=True)
class Annotation:
    """What the analysis says about one exchange (stored as flow.metadata["acrproxy"])."""

    step: str = "request"
    auth_flow: int | None = None
    findings: list[Finding] = field(default_factory=list)
    completed: list[AuthFlow] = field(default_factory=list)
    """Auth flows that reached an outcome with this exchange (for the live view)."""

    def to_json(self) -> dict:
        return {
            "step": self.step,
            "auth_flow": self.auth_flow,
            "findings": [f.code for f in self.findings],
        }


class Session:
    """One capture's analysis. Not thread-safe; feed exchanges in completion order."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.findings: OrderedDict[tuple[str, str], Finding] = OrderedDict()
        self._redirects: OrderedDict[tuple[str, str], tuple[str, str, float]] = OrderedDict()
        self._issued: dict[tuple[str, str, str], float] = {}
        self.requests = 0
        self.hosts: set[str] = set()

    # -- findings ---------------------------------------------------------------------------
    def _add(self, finding: Finding, out: list[Finding]) -> None:
        k = (finding.code, finding.key)
        known = self.findings.get(k)
        if known is None:
            self.findings[k] = finding
            out.append(finding)
        else:
            for fid in finding.flows:
                if fid not in known.flows and len(known.flows) < 1000:
                    known.flows.append(fid)

    def tls_failed(self, client: str, host: str, error: str, flow_id: str = "") -> Finding:
        """Record a client that aborted TLS with the proxy (its trust store lacks our CA)."""
        f = make(
            "CLIENT_REJECTED_PROXY_CA",
            [flow_id] if flow_id else [],
            detail=f"client {client} rejected the proxy's certificate for {host}: {error}",
            key=host,
            host=host,
            client=client,
        )
        self._add(f, [])
        return f

    # -- feeding ------------------------------------------------------------------------------
    def feed(self, ex: Exchange) -> Annotation:
        self.requests += 1
        self.hosts.add(ex.parts.netloc)
        out: list[Finding] = []
        before = {f.id: f.state for f in self.recorder.flows[-8:]}
        rec = self.recorder.feed(ex)
        step, flow, cred = rec.step, rec.flow, rec.credential
        ann = Annotation(step=step, auth_flow=flow.id if flow else None, findings=out)
        for af in self.recorder.flows[-8:]:
            if af.state in ("completed", "token_failed") and before.get(af.id) != af.state:
                ann.completed.append(af)
        self._redirect_findings(ex, out)
        self._credential_findings(ex, cred, out)
        self._response_findings(ex, cred, out)
        if step == "token_request" and flow is not None:
            self._token_findings(ex, flow, out)
        if flow is not None and step in ("retry", "request") and flow.needed_not_granted:
            if ex.status in (401, 403):
                gap = flow.needed_not_granted[0]
                self._add(
                    make(
                        "INSUFFICIENT_SCOPE",
                        [ex.id],
                        detail=f"{ex.method} {ex.path} needs {','.join(gap.missing)} on "
                        f"{gap.type}:{gap.name}; the token holds "
                        f"[{','.join(gap.granted)}]",
                        key=f"{gap.type}:{gap.name}:{','.join(gap.missing)}",
                        wanted=gap.missing,
                        held=gap.granted,
                    ),
                    out,
                )
        return ann

    def _redirect_findings(self, ex: Exchange, out: list[Finding]) -> None:
        chain = self._redirects.pop((ex.client, ex.url), None)
        if chain is not None:
            first_url, first_id, at = chain
            if ex.started - at <= REDIRECT_WINDOW and origin(first_url) != origin(ex.url):
                sent = [h for h in LEAKY_HEADERS if ex.req(h)]
                if sent:
                    sev = leak_severity(first_url, ex.url)
                    self._add(
                        make(
                            "CREDENTIAL_LEAK_ON_REDIRECT",
                            [first_id, ex.id],
                            detail=f"{', '.join(h.title() for h in sent)} sent to "
                            f"{ex.parts.netloc} after a redirect from {urlsplit(first_url).netloc}",
                            key=f"{urlsplit(first_url).netloc}->{ex.parts.netloc}",
                            severity=sev,
                            headers=sent,
                            origin=urlsplit(first_url).netloc,
                            target=ex.parts.netloc,
                        ),
                        out,
                    )
        else:
            first_url, first_id = ex.url, ex.id
        if ex.status in REDIRECTS and ex.resp("location"):
            target = urljoin(ex.url, ex.resp("location") or "")
            self._redirects[(ex.client, target)] = (first_url, first_id, ex.ended or ex.started)
            while len(self._redirects) > 10000:
                self._redirects.popitem(last=False)

    def _credential_findings(self, ex: Exchange, cred, out: list[Finding]) -> None:  # noqa: ANN001
        auth = ex.req("authorization")
        if not auth:
            return
        query = {k.lower() for k, _ in parse_qsl(ex.parts.query, keep_blank_values=True)}
        signed = sorted(query.intersection(SIGNATURE_PARAMS))
        if signed:
            self._add(
                make(
                    "DOUBLE_AUTH_ON_SIGNED_URL",
                    [ex.id],
                    detail=f"Authorization sent to {ex.parts.netloc} with a signed URL ({signed[0]}=)",
                    key=ex.parts.netloc,
                    host=ex.parts.netloc,
                ),
                out,
            )
        if ex.parts.scheme == "http" and auth.split(" ", 1)[0].lower() in ("basic", "bearer"):
            self._add(
                make(
                    "CREDENTIAL_OVER_PLAINTEXT",
                    [ex.id],
                    detail=f"{auth.split(' ', 1)[0]} credential sent to http://{ex.parts.netloc}",
                    key=ex.parts.netloc,
                ),
                out,
            )
        token = cred.token if cred is not None else None
        if token is not None and token.kind == "jwt":
            exp, nbf = token.claim_time("exp"), token.claim_time("nbf")
            when = ex.started or time.time()
            if exp is not None and when > exp:
                self._add(
                    make(
                        "TOKEN_EXPIRED",
                        [ex.id],
                        detail=f"token {token.fingerprint} used {when - exp:.0f}s after it expired "
                        f"(on {ex.method} {ex.path})",
                        key=token.fingerprint,
                        late_seconds=round(when - exp, 1),
                    ),
                    out,
                )
            if nbf is not None and when < nbf:
                self._add(
                    make(
                        "TOKEN_NOT_YET_VALID",
                        [ex.id],
                        detail=f"token {token.fingerprint} used {nbf - when:.0f}s before its nbf",
                        key=token.fingerprint,
                        skew_seconds=round(nbf - when, 1),
                    ),
                    out,
                )

    def _response_findings(self, ex: Exchange, cred, out: list[Finding]) -> None:  # noqa: ANN001
        if ex.status is None:
            if ex.error:
                self._add(
                    make(
                        "UPSTREAM_ERROR",
                        [ex.id],
                        detail=f"{ex.method} {ex.parts.netloc}{ex.parts.path}: {ex.error}",
                        key=f"{ex.parts.netloc}:{ex.error[:60]}",
                        host=ex.parts.netloc,
                        phase=_phase(ex.error),
                    ),
                    out,
                )
            return
        if ex.error and "client" not in ex.error.lower():
            self._add(
                make(
                    "UPSTREAM_ERROR",
                    [ex.id],
                    detail=f"{ex.method} {ex.parts.netloc}{ex.parts.path}: {ex.status} then "
                    f"{ex.error}" + (f" after {ex.resp_size} bytes" if ex.resp_size else ""),
                    key=f"{ex.parts.netloc}:{ex.error[:60]}",
                    host=ex.parts.netloc,
                    phase="transfer",
                    received=ex.resp_size,
                ),
                out,
            )
        body = ex.resp_body or b""
        if ex.status >= 400 and (
            b"InvalidAuthenticationInfo" in body[:65536] or b"Only one auth mechanism" in body[:65536]
        ):
            what = "InvalidAuthenticationInfo" if b"InvalidAuthenticationInfo" in body else (
                "Only one auth mechanism allowed")
            self._add(
                make(
                    "STORAGE_AUTH_ERROR",
                    [ex.id],
                    detail=f"{ex.parts.netloc} answered {ex.status} {what}"
                    + (" to a request carrying Authorization" if ex.req("authorization") else ""),
                    key=ex.parts.netloc,
                    storage_error=what,
                ),
                out,
            )
        code = registry_error_code(body) if ex.status >= 400 else None
        if ex.status == 429 or code == "TOOMANYREQUESTS":
            self._add(
                make("RATE_LIMITED", [ex.id], detail=f"{ex.parts.netloc} answered {ex.status} "
                     f"{code or ''}".strip(), key=ex.parts.netloc, **_ratelimit(ex)),
                out,
            )
        elif ex.resp("ratelimit-remaining"):
            rl = _ratelimit(ex)
            remaining, limit = rl.get("remaining"), rl.get("limit")
            if isinstance(remaining, int) and isinstance(limit, int) and remaining <= max(1, limit // 10):
                self._add(
                    make("RATE_LIMITED", [ex.id], severity=Severity.INFO,
                         detail=f"{remaining} of {limit} pulls left in the window on "
                         f"{ex.parts.netloc}", key=f"low:{ex.parts.netloc}", **rl),
                    out,
                )
        if ex.status == 401:
            values = ex.resp_all("www-authenticate")
            usable = False
            try:
                chs = parse_www_authenticate(", ".join(values)) if values else []
                usable = any((c.is_bearer and c.realm) or c.is_basic for c in chs)
            except ParseError:
                chs = []
            if not usable and ex.path.startswith("/v2"):
                self._add(
                    make("CHALLENGE_MISSING", [ex.id], detail=f"401 from {ex.parts.netloc} "
                         f"without a usable WWW-Authenticate", key=ex.parts.netloc),
                    out,
                )
            for ch in chs:
                if ch.is_bearer and ch.realm and ex.parts.scheme == "https" and ch.realm.startswith(
                        "http://"):
                    self._add(
                        make("REALM_INSECURE", [ex.id], detail=f"{ex.parts.netloc} sends clients "
                             f"to {ch.realm} for tokens", key=ex.parts.netloc, realm=ch.realm),
                        out,
                    )
        if ex.status in (401, 403) and cred is not None and cred.is_bearer:
            insufficient = any("insufficient_scope" in v for v in ex.resp_all("www-authenticate"))
            if insufficient or code in ("DENIED", "UNAUTHORIZED"):
                flow = self.recorder.token_flow(cred.fingerprint)
                if flow is None or not flow.needed_not_granted:  # else reported from the flow
                    scope = needed_scope(ex.method, ex.path)
                    held = [f"{a.type}:{a.name}:{','.join(a.actions)}" for a in
                            (cred.token.access if cred.token else [])]
                    self._add(
                        make(
                            "INSUFFICIENT_SCOPE",
                            [ex.id],
                            detail=f"{ex.method} {ex.path} refused ({code or 'insufficient_scope'})"
                            f"; needs {scope or 'unknown scope'}; token holds {held or 'nothing'}",
                            key=f"{ex.parts.netloc}{ex.parts.path}",
                            held=held,
                        ),
                        out,
                    )
        digest = None
        m = _DIGEST_IN_PATH.search(ex.parts.path)
        if m:
            digest = m.group(1)
        elif ex.resp("docker-content-digest") and "/blobs/" in ex.parts.path:
            digest = ex.resp("docker-content-digest")
        if ex.body_sha256 and digest and ex.status == 200 and digest != ex.body_sha256:
            self._add(
                make("BLOB_DIGEST_MISMATCH", [ex.id], detail=f"{ex.parts.path}: content is "
                     f"{ex.body_sha256}", key=ex.url, expected=digest, actual=ex.body_sha256),
                out,
            )

    def _token_findings(self, ex: Exchange, flow: AuthFlow, out: list[Finding]) -> None:
        step = flow.token
        assert step is not None
        if step.status is not None and not 200 <= step.status < 300:
            self._add(
                make(
                    "TOKEN_REQUEST_FAILED",
                    [ex.id],
                    detail=f"{step.request.endpoint} answered {step.status}"
                    + (f" for account {flow.account}" if flow.account else ""),
                    key=f"{step.request.endpoint}:{step.status}:{flow.account}",
                    status=step.status,
                ),
                out,
            )
        resp = step.response
        if resp is None or resp.token is None:
            return
        if flow.not_granted:
            for gap in flow.not_granted:
                self._add(
                    make(
                        "SCOPE_NOT_GRANTED",
                        [ex.id],
                        detail=f"{flow.account or 'anonymous'} asked for "
                        f"{','.join(sorted(set(gap.missing) | set(gap.granted)))} on "
                        f"{gap.type}:{gap.name} and was granted "
                        f"[{','.join(gap.granted)}]: missing {','.join(gap.missing)}",
                        key=f"{flow.account}:{gap.type}:{gap.name}:{','.join(gap.missing)}",
                        account=flow.account,
                        repository=gap.name,
                        missing=gap.missing,
                        granted=gap.granted,
                    ),
                    out,
                )
        service = flow.challenge and next(
            (c.service for c in flow.challenge.challenges if c.is_bearer and c.service), None)
        aud = resp.token.claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud] if isinstance(aud, str) else []
        if service and auds and service not in auds:
            self._add(
                make("TOKEN_AUDIENCE_MISMATCH", [ex.id], detail=f"challenge service {service!r}, "
                     f"token aud {auds}", key=f"{service}:{auds}", service=service),
                out,
            )
        scopes_key = " ".join(sorted(str(s) for s in flow.requested))
        key = (ex.client, step.request.service or "", scopes_key)
        now = ex.ended or ex.started
        earlier = self._issued.get(key)
        if earlier is not None and now < earlier and scopes_key:
            self._add(
                make("TOKEN_REFETCHED", [ex.id], detail=f"{scopes_key} fetched again "
                     f"{earlier - now:.0f}s before the earlier token expired", key=scopes_key),
                out,
            )
        if step.expires_at:
            self._issued[key] = step.expires_at

    def report(self) -> Report:
        return Report(
            findings=list(self.findings.values()),
            auth_flows=self.recorder.flows,
            requests=self.requests,
            hosts=sorted(self.hosts),
        )


def _phase(error: str) -> str:
    e = error.lower()
    for words, phase in (
        (("name or service", "dns", "getaddrinfo", "resolve"), "dns"),
        (("refused", "connect"), "connect"),
        (("tls", "ssl", "certificate", "handshake"), "tls"),
        (("timeout", "timed out"), "timeout"),
        (("reset", "closed", "disconnect", "eof"), "transfer"),
    ):
        if any(w in e for w in words):
            return phase
    return "unknown"


def _ratelimit(ex: Exchange) -> dict[str, str | int | None]:
    out: dict[str, str | int | None] = {}
    for name, key in (("ratelimit-limit", "limit"), ("ratelimit-remaining", "remaining")):
        value = ex.resp(name)
        if value:
            count, _, window = value.partition(";")
            try:
                out[key] = int(count.strip())
            except ValueError:
                continue
            if window.strip().startswith("w="):
                out["window_seconds"] = int(window.strip()[2:]) if window.strip()[2:].isdigit() else None
    if ex.resp("docker-ratelimit-source"):
        out["source"] = ex.resp("docker-ratelimit-source")
    return out
