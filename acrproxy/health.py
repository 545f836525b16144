"""`acrproxy check-health`: an active probe of a registry, step by step, ending at the storage host.

DNS -> TCP -> TLS (chain, expiry, protocol; the server's clock) -> `GET /v2/` -> the challenge ->
(ACR: Entra ID token -> refresh token) -> an access token for the repository -> its manifest ->
one blob, following the registry's redirect to the storage host without Authorization. Codes
are `az acr check-health`'s where one applies, and acrproxy's own for the steps `az` lacks.
Every request also goes through the same analysis as proxied traffic (its findings are listed),
and with `via_proxy` through a running acrproxy, so it lands in that trace too.
"""

from __future__ import annotations

import base64
import email.utils
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
from pydantic import BaseModel

from acrproxy.analysis import Session
from acrproxy.authflow import gaps
from acrproxy.challenge import Challenge, parse_www_authenticate
from acrproxy.errors import ParseError
from acrproxy.exchange import Exchange, clean
from acrproxy.findings import Code
from acrproxy.manifest import parse_manifest
from acrproxy.redact import scrub
from acrproxy.scopes import Scope, parse_scope
from acrproxy.tokenreq import parse_token_response

ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
ACR_SUFFIX = ".azurecr.io"
SKEW_WARNING = 60.0
EXPIRY_WARNING_DAYS = 14
HELM_MINIMUM = (2, 11, 0)


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"


class HealthCode(StrEnum):
    """`az acr check-health`'s codes, and acrproxy's own for the steps it adds."""

    LOGIN_SERVER_ERROR = "LOGIN_SERVER_ERROR"
    CONNECTIVITY_DNS_ERROR = "CONNECTIVITY_DNS_ERROR"
    CONNECTIVITY_SSL_ERROR = "CONNECTIVITY_SSL_ERROR"
    CONNECTIVITY_FORBIDDEN_ERROR = "CONNECTIVITY_FORBIDDEN_ERROR"
    CONNECTIVITY_CHALLENGE_ERROR = "CONNECTIVITY_CHALLENGE_ERROR"
    CONNECTIVITY_AAD_LOGIN_ERROR = "CONNECTIVITY_AAD_LOGIN_ERROR"
    CONNECTIVITY_REFRESH_TOKEN_ERROR = "CONNECTIVITY_REFRESH_TOKEN_ERROR"
    CONNECTIVITY_ACCESS_TOKEN_ERROR = "CONNECTIVITY_ACCESS_TOKEN_ERROR"
    DOCKER_COMMAND_ERROR = "DOCKER_COMMAND_ERROR"
    DOCKER_DAEMON_ERROR = "DOCKER_DAEMON_ERROR"
    DOCKER_VERSION_ERROR = "DOCKER_VERSION_ERROR"
    DOCKER_PULL_ERROR = "DOCKER_PULL_ERROR"
    HELM_COMMAND_ERROR = "HELM_COMMAND_ERROR"
    HELM_VERSION_ERROR = "HELM_VERSION_ERROR"
    # acrproxy's own
    CONNECTIVITY_TCP_ERROR = "CONNECTIVITY_TCP_ERROR"
    CERTIFICATE_EXPIRY_WARNING = "CERTIFICATE_EXPIRY_WARNING"
    CLOCK_SKEW_ERROR = "CLOCK_SKEW_ERROR"
    NOT_A_REGISTRY_ERROR = "NOT_A_REGISTRY_ERROR"
    SCOPE_NOT_GRANTED_WARNING = "SCOPE_NOT_GRANTED_WARNING"
    MANIFEST_ERROR = "MANIFEST_ERROR"
    BLOB_ERROR = "BLOB_ERROR"
    STORAGE_ERROR = "STORAGE_ERROR"


FIXES: dict[HealthCode, str] = {
    HealthCode.LOGIN_SERVER_ERROR: (
        "Give the registry as HOST[:PORT] (ACR: NAME.azurecr.io, or just "
        "NAME); check the spelling and that the registry exists in the cloud you use."
    ),
    HealthCode.CONNECTIVITY_DNS_ERROR: (
        "Check the name, this machine's DNS and network; for a private "
        "registry (ACR private endpoint), check the private DNS zone resolves it here."
    ),
    HealthCode.CONNECTIVITY_TCP_ERROR: (
        "Nothing accepts connections there: check the port, firewalls, "
        "network security groups and any proxy you must use (--via-proxy)."
    ),
    HealthCode.CONNECTIVITY_SSL_ERROR: (
        "If a proxy or firewall inspects TLS, trust its CA (--ca FILE, "
        "and the system store for docker); if the certificate expired or names another host, the "
        "registry operator must renew or fix it."
    ),
    HealthCode.CERTIFICATE_EXPIRY_WARNING: (
        "Renew the certificate before it expires: clients will refuse it then."
    ),
    HealthCode.CLOCK_SKEW_ERROR: (
        "Synchronise this machine's clock (NTP): tokens are refused before "
        "their nbf and after their exp, and skew makes that happen early or late."
    ),
    HealthCode.CONNECTIVITY_FORBIDDEN_ERROR: (
        "The registry refused this client's address: allow this "
        "IP in the registry's firewall or network rules (ACR: Networking), or use a private "
        "endpoint."
    ),
    HealthCode.NOT_A_REGISTRY_ERROR: (
        "Something other than the registry answered (a proxy, gateway, "
        "captive portal, or the wrong host or port): check the address and the path in between."
    ),
    HealthCode.CONNECTIVITY_CHALLENGE_ERROR: (
        "The registry did not ask for credentials in a way "
        "clients understand; retry later, and if it persists, report it to the registry operator."
    ),
    HealthCode.CONNECTIVITY_AAD_LOGIN_ERROR: (
        "This registry does not take Entra ID (AAD) tokens: log "
        "in another way (a username and password, or ACR's admin or token credentials)."
    ),
    HealthCode.CONNECTIVITY_REFRESH_TOKEN_ERROR: (
        "The Entra ID token was not accepted: check the "
        "user's role on the registry (AcrPull/AcrPush) and log in again (az login)."
    ),
    HealthCode.CONNECTIVITY_ACCESS_TOKEN_ERROR: (
        "No access token. Check the username and password "
        "(or the refresh token), the account's rights on the repository, and log in again."
    ),
    HealthCode.SCOPE_NOT_GRANTED_WARNING: (
        "The account may not do everything asked: grant it the "
        "missing rights on the repository (ACR: a role or scope map; Harbor: a project role)."
    ),
    HealthCode.MANIFEST_ERROR: (
        "Check the repository and tag exist (case matters) and the account may pull them."
    ),
    HealthCode.BLOB_ERROR: (
        "The registry could not serve a layer it listed: retry; if it persists, "
        "report the digest to the registry operator."
    ),
    HealthCode.STORAGE_ERROR: (
        "Layers come from this storage host: clients must reach it too (DNS, "
        "firewall, proxy, TLS) — allow it (ACR: the data endpoint or *.blob.core.windows.net)."
    ),
    HealthCode.DOCKER_COMMAND_ERROR: "Install the docker client and put it on PATH.",
    HealthCode.DOCKER_DAEMON_ERROR: (
        "Start the Docker daemon (systemctl start docker), or check "
        "DOCKER_HOST and that this user may use its socket."
    ),
    HealthCode.DOCKER_VERSION_ERROR: (
        "Run `docker version` by hand, read its error, update Docker."
    ),
    HealthCode.DOCKER_PULL_ERROR: (
        "Check every part a pull needs: the daemon's proxy settings "
        "(acrproxy doctor), its trust in the registry's and storage's CA, credentials "
        "(docker login)."
    ),
    HealthCode.HELM_COMMAND_ERROR: "Install helm and put it on PATH.",
    HealthCode.HELM_VERSION_ERROR: (
        "Update helm (2.11.0 or later), or run `helm version` by hand."
    ),
}


class CheckResult(BaseModel):
    name: str
    status: Status
    code: HealthCode | None = None
    detail: str = ""
    fix: str = ""
    elapsed_ms: float = 0.0


class HealthReport(BaseModel):
    """The JSON shape of `check-health --json` (schema: acrproxy/schemas/health.schema.json)."""

    registry: str
    checks: list[CheckResult] = []
    ok: bool = True
    findings: list[Code] = []
    """Findings of the analysis of the probe's own requests (as proxied traffic gets)."""


Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """The addresses of a host (the system resolver)."""
    return sorted(
        {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    )


def login_server(registry: str) -> tuple[str, int] | None:
    """HOST and PORT from `host[:port]`, `https://host[:port]` or an ACR name; None if unusable."""
    value = registry.strip()
    if "://" in value:
        parts = urlsplit(value)
        if parts.scheme != "https":
            return None
        value = parts.netloc
    value = value.rstrip("/")
    if not value or "/" in value or "@" in value or any(c.isspace() for c in value):
        return None
    host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    if not port:
        host, port = value, "443"
    if not port.isdigit() or not 0 < int(port) < 65536 or not host:
        return None
    if "." not in host and host != "localhost":
        host += ACR_SUFFIX  # an ACR name, as `az acr check-health -n NAME` takes it
    return host.lower(), int(port)


@dataclass
class Probe:
    registry: str
    username: str | None = None
    password: str | None = None
    aad_token: str | None = None
    repository: str | None = None
    reference: str = "latest"
    ca: str | None = None
    via_proxy: str | None = None
    environment: bool = False
    docker_pull: bool = False
    timeout: float = 15.0
    resolver: Resolver = resolve
    clock: Callable[[], float] = time.time
    results: list[CheckResult] = field(default_factory=list)
    session: Session = field(default_factory=Session)
    _n: int = 0

    # -- plumbing --------------------------------------------------------------------------
    def _ssl(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.ca:
            ctx.load_verify_locations(self.ca)
        return ctx

    def _client(self) -> httpx.Client:
        return httpx.Client(
            verify=self._ssl(),
            proxy=self.via_proxy,
            timeout=self.timeout,
            follow_redirects=False,
            trust_env=False,
        )

    def _record(
        self,
        resp: httpx.Response | None,
        method: str,
        url: str,
        headers: dict[str, str],
        error: str | None = None,
    ) -> None:
        """Feed the request to the same analysis proxied traffic gets."""
        self._n += 1
        ex = Exchange(
            id=f"probe-{self._n}",
            method=method,
            url=url,
            started=self.clock(),
            req_headers=[(k.lower(), clean(v)) for k, v in headers.items()],
            error=error,
        )
        if resp is not None:
            ex.status, ex.reason = resp.status_code, resp.reason_phrase
            ex.resp_headers = [(k.lower(), clean(v)) for k, v in resp.headers.multi_items()]
            ex.resp_body = resp.content[: 1 << 20]
            ex.resp_size, ex.ended = len(resp.content), self.clock()
        self.session.feed(ex)

    def _send(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = dict(headers or {})
        try:
            resp = client.request(method, url, headers=headers, data=data)
        except httpx.HTTPError as e:
            self._record(None, method, url, headers, f"{type(e).__name__}: {e}")
            raise
        self._record(resp, method, url, headers)
        return resp

    def _add(
        self,
        name: str,
        status: Status,
        detail: str,
        code: HealthCode | None = None,
        started: float | None = None,
    ) -> CheckResult:
        elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
        result = CheckResult(
            name=name,
            status=status,
            code=code,
            detail=scrub(detail),
            fix=FIXES.get(code, "") if code and status in (Status.ERROR, Status.WARNING) else "",
            elapsed_ms=round(elapsed, 1),
        )
        self.results.append(result)
        return result

    def _skip(self, *names: str, why: str) -> None:
        done = {r.name for r in self.results}
        for name in names:
            if name not in done:
                self._add(name, Status.SKIPPED, why)

    # -- the steps -------------------------------------------------------------------------
    def run(self) -> HealthReport:
        if self.environment:
            self._environment()
        server = login_server(self.registry)
        t = time.perf_counter()
        if server is None:
            self._add(
                "login server",
                Status.ERROR,
                f"not a registry address: {self.registry!r}",
                HealthCode.LOGIN_SERVER_ERROR,
                t,
            )
            return self._report()
        host, port = server
        self._add("login server", Status.OK, f"{host}:{port}", started=t)
        later = ("TLS", "GET /v2/", "challenge", "access token", "manifest", "blob", "storage host")
        if not self._network(host, port):
            self._skip(*later, why="the registry cannot be reached")
            return self._report()
        base = f"https://{host}" + (f":{port}" if port != 443 else "")
        with self._client() as client:
            self._registry(client, base)
        return self._report()

    def _report(self) -> HealthReport:
        codes = sorted({f.code for f in self.session.findings})
        ok = not any(r.status is Status.ERROR for r in self.results)
        return HealthReport(registry=self.registry, checks=self.results, ok=ok, findings=codes)

    def _network(self, host: str, port: int) -> bool:
        """DNS, TCP and TLS to the registry (through the proxy's tunnel with via_proxy)."""
        if self.via_proxy:
            self._skip("DNS", "TCP", why=f"the proxy {self.via_proxy} connects to the registry")
        else:
            t = time.perf_counter()
            try:
                addresses = self.resolver(host, port)
            except OSError as e:
                self._add(
                    "DNS",
                    Status.ERROR,
                    f"{host} does not resolve: {e.strerror or e}",
                    HealthCode.CONNECTIVITY_DNS_ERROR,
                    t,
                )
                self._skip("TCP", why="no address")
                return False
            self._add("DNS", Status.OK, f"{host} is {', '.join(addresses)}", started=t)
            t = time.perf_counter()
            try:
                socket.create_connection((addresses[0], port), timeout=self.timeout).close()
            except OSError as e:
                self._add(
                    "TCP",
                    Status.ERROR,
                    f"{addresses[0]}:{port}: {e.strerror or e}",
                    HealthCode.CONNECTIVITY_TCP_ERROR,
                    t,
                )
                return False
            self._add("TCP", Status.OK, f"connected to {addresses[0]}:{port}", started=t)
        return self._tls(host, port)

    def _tunnel(self, host: str, port: int) -> socket.socket:
        if not self.via_proxy:
            return socket.create_connection((host, port), timeout=self.timeout)
        proxy = urlsplit(self.via_proxy)
        sock = socket.create_connection(
            (proxy.hostname or "127.0.0.1", proxy.port or 8888), timeout=self.timeout
        )
        sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        if not head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
            sock.close()
            raise OSError(
                f"the proxy refused CONNECT: {head.split(b'\r\n', 1)[0].decode('latin-1')}"
            )
        return sock

    def _tls(self, host: str, port: int) -> bool:
        t = time.perf_counter()
        try:
            with (
                self._tunnel(host, port) as raw,
                self._ssl().wrap_socket(raw, server_hostname=host) as s,
            ):
                version, cert = s.version(), s.getpeercert()
        except ssl.SSLCertVerificationError as e:
            self._add(
                "TLS",
                Status.ERROR,
                f"the certificate of {host} is not trusted here: "
                f"{e.verify_message}. Are you behind a proxy that inspects TLS?",
                HealthCode.CONNECTIVITY_SSL_ERROR,
                t,
            )
            return False
        except (ssl.SSLError, OSError) as e:
            self._add(
                "TLS",
                Status.ERROR,
                f"no secure connection to {host}: {e}",
                HealthCode.CONNECTIVITY_SSL_ERROR,
                t,
            )
            return False
        expires = ssl.cert_time_to_seconds(str(cert["notAfter"])) if cert else None
        days = (expires - self.clock()) / 86400 if expires else None
        detail = f"{version}, certificate trusted"
        if days is not None:
            detail += f", expires in {days:.0f} days"
        if days is not None and days < EXPIRY_WARNING_DAYS:
            self._add("TLS", Status.WARNING, detail, HealthCode.CERTIFICATE_EXPIRY_WARNING, t)
        else:
            self._add("TLS", Status.OK, detail, started=t)
        return True

    def _clock(self, resp: httpx.Response) -> None:
        date = resp.headers.get("date")
        if not date:
            self._add("clock", Status.SKIPPED, "the registry sent no Date header")
            return
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            self._add("clock", Status.SKIPPED, "the registry's Date header is not a date")
            return
        skew = server - self.clock()
        way = "ahead of" if skew > 0 else "behind"
        text = f"the registry's clock is {abs(skew):.0f}s {way} this machine's"
        if abs(skew) > SKEW_WARNING:
            self._add("clock", Status.WARNING, text, HealthCode.CLOCK_SKEW_ERROR)
        else:
            self._add("clock", Status.OK, text)

    def _registry(self, client: httpx.Client, base: str) -> None:
        t = time.perf_counter()
        rest = ("challenge", "access token", "manifest", "blob", "storage host")
        try:
            resp = self._send(client, "GET", f"{base}/v2/")
        except httpx.HTTPError as e:
            self._add(
                "GET /v2/",
                Status.ERROR,
                f"no answer: {e}",
                HealthCode.CONNECTIVITY_CHALLENGE_ERROR,
                t,
            )
            self._skip(*rest, why="no answer from /v2/")
            return
        self._clock(resp)
        is_registry = "docker-distribution-api-version" in resp.headers or (
            resp.status_code == 401 and "www-authenticate" in resp.headers
        )
        if resp.status_code == 403:
            text = resp.text[:300]
            if is_registry or "not allowed access" in text or '"errors"' in text:
                self._add(
                    "GET /v2/",
                    Status.ERROR,
                    f"403 from the registry: {text.strip()}",
                    HealthCode.CONNECTIVITY_FORBIDDEN_ERROR,
                    t,
                )
            else:
                self._add(
                    "GET /v2/",
                    Status.ERROR,
                    "403 from something that is not the registry "
                    f"(no registry header; {resp.headers.get('content-type', 'no type')})",
                    HealthCode.NOT_A_REGISTRY_ERROR,
                    t,
                )
            self._skip(*rest, why="refused")
            return
        if not is_registry:
            self._add(
                "GET /v2/",
                Status.ERROR,
                f"{resp.status_code} without the registry API's "
                f"header ({resp.headers.get('content-type', 'no content type')}): not a "
                "registry answer",
                HealthCode.NOT_A_REGISTRY_ERROR,
                t,
            )
            self._skip(*rest, why="not a registry")
            return
        if resp.status_code not in (200, 401):
            self._add(
                "GET /v2/",
                Status.ERROR,
                f"answered {resp.status_code}",
                HealthCode.CONNECTIVITY_CHALLENGE_ERROR,
                t,
            )
            self._skip(*rest, why="unexpected answer")
            return
        self._add(
            "GET /v2/",
            Status.OK,
            f"{resp.status_code}, a registry (Docker-Distribution-API-Version "
            f"{resp.headers.get('docker-distribution-api-version', '?')})",
            started=t,
        )
        auth = self._challenge(resp)
        if auth is None:
            self._skip(
                "access token", "manifest", "blob", "storage host", why="no usable challenge"
            )
            return
        headers = self._token(client, base, auth)
        if headers is None:
            self._skip("manifest", "blob", "storage host", why="no access token")
            return
        if not self.repository:
            self._skip("manifest", "blob", "storage host", why="no --repository given")
            return
        digest = self._manifest(client, base, headers)
        if digest is None:
            self._skip("blob", "storage host", why="no layer to fetch")
            return
        self._blob(client, base, headers, digest)

    def _challenge(self, resp: httpx.Response) -> Challenge | None | bool:
        """The challenge to answer (False: no authentication needed; None: unusable)."""
        if resp.status_code == 200:
            self._add("challenge", Status.OK, "none: the registry asks for no credentials")
            return False
        value = ", ".join(resp.headers.get_list("www-authenticate"))
        try:
            challenges = parse_www_authenticate(value)
        except ParseError as e:
            self._add(
                "challenge",
                Status.ERROR,
                f"unreadable WWW-Authenticate: {e}",
                HealthCode.CONNECTIVITY_CHALLENGE_ERROR,
            )
            return None
        bearer = next((c for c in challenges if c.is_bearer and c.realm), None)
        if bearer is not None:
            self._add(
                "challenge",
                Status.OK,
                f"Bearer: get tokens from {bearer.realm} for service {bearer.service or '(none)'}",
            )
            return bearer
        if any(c.is_basic for c in challenges):
            self._add("challenge", Status.OK, "Basic: credentials go straight to the registry")
            return next(c for c in challenges if c.is_basic)
        self._add(
            "challenge",
            Status.ERROR,
            f"no Bearer or Basic challenge in {value[:120]!r}",
            HealthCode.CONNECTIVITY_CHALLENGE_ERROR,
        )
        return None

    def _scope(self) -> Scope:
        if self.repository:
            return parse_scope(f"repository:{self.repository}:pull")
        return parse_scope("registry:catalog:*")

    def _token(
        self, client: httpx.Client, base: str, auth: Challenge | bool
    ) -> dict[str, str] | None:
        t = time.perf_counter()
        if auth is False:
            self._add("access token", Status.SKIPPED, "no credentials needed")
            return {}
        assert isinstance(auth, Challenge)
        basic = {}
        if self.username is not None:
            raw = f"{self.username}:{self.password or ''}".encode()
            basic = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        if auth.is_basic:
            if self.aad_token:
                self._add(
                    "access token",
                    Status.ERROR,
                    "a Basic-only registry takes no Entra ID token",
                    HealthCode.CONNECTIVITY_AAD_LOGIN_ERROR,
                    t,
                )
                return None
            self._add(
                "access token",
                Status.OK,
                "Basic credentials are sent with each request"
                if basic
                else "no credentials given: anonymous",
                started=t,
            )
            return basic
        scope = self._scope()
        service = auth.service or ""
        try:
            if self.aad_token:
                resp = self._acr_token(client, base, auth, scope, t)
                if resp is None:
                    return None
            else:
                query = {"service": service, "scope": str(scope)}
                if self.username:
                    query["account"] = self.username
                resp = self._send(client, "GET", f"{auth.realm}?{urlencode(query)}", basic)
        except httpx.HTTPError as e:
            self._add(
                "access token",
                Status.ERROR,
                f"the token service {auth.realm} did not answer: {e}",
                HealthCode.CONNECTIVITY_ACCESS_TOKEN_ERROR,
                t,
            )
            return None
        if resp.status_code != 200:
            self._add(
                "access token",
                Status.ERROR,
                f"{auth.realm} answered {resp.status_code}"
                + (f" for {self.username}" if self.username else " (anonymous)"),
                HealthCode.CONNECTIVITY_ACCESS_TOKEN_ERROR,
                t,
            )
            return None
        try:
            token = parse_token_response(resp.content)
        except ParseError as e:
            self._add(
                "access token",
                Status.ERROR,
                f"the token answer is unreadable: {e}",
                HealthCode.CONNECTIVITY_ACCESS_TOKEN_ERROR,
                t,
            )
            return None
        raw_token = _raw_token(resp)
        granted = [
            Scope(type=a.type, name=a.name, actions=tuple(a.actions))
            for a in (token.token.access if token.token else [])
        ] or token.granted_scope
        missing = gaps([scope], granted) if token.token and token.token.kind == "jwt" else []
        fp = token.token.fingerprint if token.token else "?"
        if missing:
            self._add(
                "access token",
                Status.WARNING,
                f"token {fp} granted "
                f"{' '.join(str(g) for g in granted) or 'nothing'}; asked {scope}",
                HealthCode.SCOPE_NOT_GRANTED_WARNING,
                t,
            )
        else:
            self._add("access token", Status.OK, f"token {fp} for {scope}", started=t)
        return {"Authorization": f"Bearer {raw_token}"}

    def _acr_token(
        self, client: httpx.Client, base: str, auth: Challenge, scope: Scope, t: float
    ) -> httpx.Response | None:
        """ACR: trade the Entra ID token for a refresh token, then for an access token."""
        service = auth.service or urlsplit(base).hostname or ""
        resp = self._send(
            client,
            "POST",
            f"{base}/oauth2/exchange",
            data={
                "grant_type": "access_token",
                "service": service,
                "access_token": self.aad_token or "",
            },
        )
        if resp.status_code != 200:
            self._add(
                "refresh token",
                Status.ERROR,
                f"/oauth2/exchange answered {resp.status_code}",
                HealthCode.CONNECTIVITY_REFRESH_TOKEN_ERROR,
                t,
            )
            return None
        try:
            refresh = resp.json().get("refresh_token")
        except ValueError:
            refresh = None
        if not isinstance(refresh, str):
            self._add(
                "refresh token",
                Status.ERROR,
                "/oauth2/exchange gave no refresh token",
                HealthCode.CONNECTIVITY_REFRESH_TOKEN_ERROR,
                t,
            )
            return None
        self._add("refresh token", Status.OK, "Entra ID token exchanged for an ACR refresh token")
        return self._send(
            client,
            "POST",
            auth.realm or f"{base}/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "service": service,
                "scope": str(scope),
                "refresh_token": refresh,
            },
        )

    def _manifest(self, client: httpx.Client, base: str, headers: dict[str, str]) -> str | None:
        t = time.perf_counter()
        url = f"{base}/v2/{self.repository}/manifests/{self.reference}"
        try:
            resp = self._send(client, "GET", url, {**headers, "Accept": ACCEPT})
            info = parse_manifest(resp.content, resp.headers.get("content-type"))
            if resp.status_code == 200 and info is not None and info.index:
                data: Any = resp.json()
                chosen = next(
                    (
                        m
                        for m in data["manifests"]
                        if m.get("platform", {}).get("architecture") == "amd64"
                    ),
                    data["manifests"][0],
                )
                resp = self._send(
                    client,
                    "GET",
                    f"{base}/v2/{self.repository}/manifests/{chosen['digest']}",
                    {**headers, "Accept": ACCEPT},
                )
                platforms = ", ".join(info.platforms)
            else:
                platforms = ""
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as e:
            self._add(
                "manifest",
                Status.ERROR,
                f"{self.repository}:{self.reference}: {e}",
                HealthCode.MANIFEST_ERROR,
                t,
            )
            return None
        layer = parse_manifest(resp.content, resp.headers.get("content-type"))
        if resp.status_code != 200 or layer is None:
            self._add(
                "manifest",
                Status.ERROR,
                f"{self.repository}:{self.reference} answered "
                f"{resp.status_code}: {resp.text[:200].strip()}",
                HealthCode.MANIFEST_ERROR,
                t,
            )
            return None
        try:
            digest = str(resp.json()["layers"][0]["digest"])
        except (ValueError, KeyError, IndexError, TypeError):
            self._add(
                "manifest",
                Status.WARNING,
                "the manifest lists no layer",
                HealthCode.MANIFEST_ERROR,
                t,
            )
            return None
        what = f"an index ({platforms}), then " if platforms else ""
        self._add(
            "manifest",
            Status.OK,
            f"{self.repository}:{self.reference}: {what}"
            f"{layer.media_type} with {layer.layers} layer(s)",
            started=t,
        )
        return digest

    def _blob(self, client: httpx.Client, base: str, headers: dict[str, str], digest: str) -> None:
        t = time.perf_counter()
        url = f"{base}/v2/{self.repository}/blobs/{digest}"
        try:
            resp = self._send(client, "GET", url, {**headers, "Range": "bytes=0-0"})
        except httpx.HTTPError as e:
            self._add("blob", Status.ERROR, f"{digest[:19]}: {e}", HealthCode.BLOB_ERROR, t)
            self._skip("storage host", why="no answer for the blob")
            return
        if resp.status_code in (200, 206):
            self._add("blob", Status.OK, f"{digest[:19]} served by the registry itself", started=t)
            self._skip("storage host", why="the registry serves layers itself (no redirect)")
            return
        location = resp.headers.get("location")
        if resp.status_code not in (301, 302, 303, 307, 308) or not location:
            self._add(
                "blob",
                Status.ERROR,
                f"{digest[:19]} answered {resp.status_code}",
                HealthCode.BLOB_ERROR,
                t,
            )
            self._skip("storage host", why="no redirect to follow")
            return
        target = urljoin(url, location)
        storage = urlsplit(target)
        self._add(
            "blob",
            Status.OK,
            f"{digest[:19]}: {resp.status_code} to the storage host "
            f"{storage.netloc.rpartition('@')[2]}",
            started=t,
        )
        self._storage(client, target)

    def _storage(self, client: httpx.Client, target: str) -> None:
        t = time.perf_counter()
        parts = urlsplit(target)
        host = parts.hostname or ""
        if not self.via_proxy:
            try:
                self.resolver(host, parts.port or 443)
            except OSError as e:
                self._add(
                    "storage host",
                    Status.ERROR,
                    f"{host} does not resolve: {e.strerror or e}",
                    HealthCode.STORAGE_ERROR,
                    t,
                )
                return
        try:  # no Authorization: storage has its own signature, and refuses a second one
            resp = self._send(client, "GET", target, {"Range": "bytes=0-0"})
        except httpx.HTTPError as e:
            self._add(
                "storage host",
                Status.ERROR,
                f"{host}: {type(e).__name__}: {e}",
                HealthCode.STORAGE_ERROR,
                t,
            )
            return
        if resp.status_code in (200, 206):
            self._add(
                "storage host",
                Status.OK,
                f"{host} answered {resp.status_code} without "
                "Authorization (DNS, TLS and the first byte)",
                started=t,
            )
        else:
            self._add(
                "storage host",
                Status.ERROR,
                f"{host} answered {resp.status_code}: {resp.text[:200].strip()}",
                HealthCode.STORAGE_ERROR,
                t,
            )

    # -- the environment -------------------------------------------------------------------
    def _run(self, *cmd: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)

    def _environment(self) -> None:
        t = time.perf_counter()
        if shutil.which("docker") is None:
            self._add(
                "docker command",
                Status.ERROR,
                "no docker on PATH",
                HealthCode.DOCKER_COMMAND_ERROR,
                t,
            )
            self._skip("docker daemon", "docker pull", why="no docker command")
        else:
            self._add("docker command", Status.OK, shutil.which("docker") or "", started=t)
            self._docker()
        t = time.perf_counter()
        if shutil.which("helm") is None:
            self._add(
                "helm command", Status.ERROR, "no helm on PATH", HealthCode.HELM_COMMAND_ERROR, t
            )
            return
        try:
            out = self._run("helm", "version", "--short")
            version = _version(out.stdout)
        except (OSError, subprocess.TimeoutExpired):
            version = None
        if version is None or version < HELM_MINIMUM:
            self._add(
                "helm version",
                Status.ERROR,
                f"helm version {version or 'unknown'}",
                HealthCode.HELM_VERSION_ERROR,
                t,
            )
        else:
            self._add("helm version", Status.OK, ".".join(map(str, version)), started=t)

    def _docker(self) -> None:
        t = time.perf_counter()
        try:
            out = self._run("docker", "version", "--format", "{{.Server.Version}}")
        except (OSError, subprocess.TimeoutExpired) as e:
            self._add("docker daemon", Status.ERROR, str(e), HealthCode.DOCKER_DAEMON_ERROR, t)
            return
        if out.returncode != 0:
            code = (
                HealthCode.DOCKER_DAEMON_ERROR
                if "daemon" in out.stderr.lower()
                else (HealthCode.DOCKER_VERSION_ERROR)
            )
            self._add("docker daemon", Status.ERROR, out.stderr.strip()[:300], code, t)
            self._skip("docker pull", why="no daemon")
            return
        self._add("docker daemon", Status.OK, f"server {out.stdout.strip()}", started=t)
        if not (self.docker_pull and self.repository):
            self._skip("docker pull", why="not asked (--docker-pull with --repository)")
            return
        server = login_server(self.registry)
        image = f"{server[0]}:{server[1]}/{self.repository}:{self.reference}" if server else ""
        t = time.perf_counter()
        out = self._run("docker", "pull", image, timeout=600)
        if out.returncode == 0 or "cannot be used on this platform" in out.stderr:
            self._add("docker pull", Status.OK, image, started=t)
        else:
            self._add(
                "docker pull",
                Status.ERROR,
                out.stderr.strip()[:300],
                HealthCode.DOCKER_PULL_ERROR,
                t,
            )


def _raw_token(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return ""
    value = data.get("token") or data.get("access_token") if isinstance(data, dict) else ""
    return value if isinstance(value, str) else ""


def _version(text: str) -> tuple[int, ...] | None:
    digits = "".join(c if c.isdigit() or c == "." else " " for c in text).split()
    for word in digits:
        parts = [p for p in word.split(".") if p]
        if len(parts) >= 2:
            return tuple(int(p) for p in parts[:3])
    return None
