"""Findings: what went wrong, with a stable code, the exchanges that show it and what to do.

A new finding is a member of `Code`, an entry in `CATALOGUE`, and a check in `acrproxy.checks`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from acrproxy.redact import scrub, scrub_tree


class Code(StrEnum):
    """Every finding code. Stable: never rename or reuse one; retire it instead."""

    CREDENTIAL_LEAK_ON_REDIRECT = "CREDENTIAL_LEAK_ON_REDIRECT"
    DOUBLE_AUTH_ON_SIGNED_URL = "DOUBLE_AUTH_ON_SIGNED_URL"
    STORAGE_AUTH_ERROR = "STORAGE_AUTH_ERROR"
    CREDENTIAL_OVER_PLAINTEXT = "CREDENTIAL_OVER_PLAINTEXT"
    REALM_INSECURE = "REALM_INSECURE"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_NOT_YET_VALID = "TOKEN_NOT_YET_VALID"
    TOKEN_AUDIENCE_MISMATCH = "TOKEN_AUDIENCE_MISMATCH"
    SCOPE_NOT_GRANTED = "SCOPE_NOT_GRANTED"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
    TOKEN_REQUEST_FAILED = "TOKEN_REQUEST_FAILED"
    CHALLENGE_MISSING = "CHALLENGE_MISSING"
    RATE_LIMITED = "RATE_LIMITED"
    CLIENT_REJECTED_PROXY_CA = "CLIENT_REJECTED_PROXY_CA"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    TOKEN_REFETCHED = "TOKEN_REFETCHED"
    BLOB_DIGEST_MISMATCH = "BLOB_DIGEST_MISMATCH"
    UPSTREAM_SLOW = "UPSTREAM_SLOW"
    SIGNATURE_LOOKUP_FAILED = "SIGNATURE_LOOKUP_FAILED"
    PAGINATION_NOT_FOLLOWED = "PAGINATION_NOT_FOLLOWED"
    PERMISSION_PROPAGATION = "PERMISSION_PROPAGATION"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1, "info": 0}[self.value]


class Spec(NamedTuple):
    severity: Severity
    title: str
    explanation: str
    advice: str


# Codes are stable: never rename one; retire it instead. README.md has this table.
CATALOGUE: dict[Code, Spec] = {
    Code.CREDENTIAL_LEAK_ON_REDIRECT: Spec(
        Severity.HIGH,
        "Credentials were re-sent to another origin after a redirect",
        "The registry redirected the client (blob downloads go to a storage host) and the client "
        "sent the registry's Authorization, Proxy-Authorization or Cookie header on to the new "
        "origin. The storage host is handed a registry credential it should never see, and storage "
        "that already has a signed URL rejects the request (Azure: InvalidAuthenticationInfo).",
        "Do not forward credentials on redirects: drop curl's --location-trusted, or follow the "
        "Location yourself without the header (the ACR FAQ's workaround); fix the SDK or script "
        "that copies headers across hosts. Treat the leaked token as exposed.",
    ),
    Code.DOUBLE_AUTH_ON_SIGNED_URL: Spec(
        Severity.HIGH,
        "Authorization sent to a URL that is already signed",
        "The URL carries a storage signature (sig=, X-Amz-Signature, X-Goog-Signature) and the "
        "request also carries an Authorization header. Storage accepts only one auth mechanism.",
        "Send signed storage URLs without an Authorization header.",
    ),
    Code.STORAGE_AUTH_ERROR: Spec(
        Severity.HIGH,
        "Blob storage refused the request's authentication",
        "The storage host answered InvalidAuthenticationInfo (Azure Blob) or 'Only one auth "
        "mechanism allowed' (S3): almost always because the registry's Authorization header "
        "followed the blob redirect.",
        "Follow the registry's redirect without the Authorization header.",
    ),
    Code.CREDENTIAL_OVER_PLAINTEXT: Spec(
        Severity.HIGH,
        "Credentials sent over plain HTTP",
        "A Basic or Bearer credential went over http://, readable by anyone on the path.",
        "Use https:// for the registry and its token endpoint; rotate the credential.",
    ),
    Code.REALM_INSECURE: Spec(
        Severity.MEDIUM,
        "An https registry advertises an http:// token realm",
        "The challenge sends clients to fetch tokens over plain HTTP, with their password.",
        "Configure the registry's token realm with https:// (Harbor/registry behind a TLS proxy: "
        "set the external URL).",
    ),
    Code.TOKEN_EXPIRED: Spec(
        Severity.MEDIUM,
        "A token was used after it expired",
        "The request carried a bearer token whose exp lies before the request's time. Long pushes "
        "outlive short tokens (distribution and GitLab: minutes; ACR: 3 hours).",
        "Let the client fetch a new token (docker/skopeo do on 401); check the clock skew shown; "
        "for long pushes use a longer token lifetime.",
    ),
    Code.TOKEN_NOT_YET_VALID: Spec(
        Severity.MEDIUM,
        "A token was used before its nbf time",
        "The token's not-before time lies after the request's time: a clock is off.",
        "Synchronise the clocks of the client, the token server and the registry (NTP).",
    ),
    Code.TOKEN_AUDIENCE_MISMATCH: Spec(
        Severity.MEDIUM,
        "The token's audience differs from the challenge's service",
        "The registry asked for a token for one service and the token server issued one for "
        "another (aud); the registry will refuse it.",
        "Make the token server's audience match the registry's auth.token.service setting.",
    ),
    Code.SCOPE_NOT_GRANTED: Spec(
        Severity.MEDIUM,
        "The token server granted less than was asked",
        "The token's access claim lacks actions that were requested. Token servers grant the "
        "intersection of what is asked and what the account may do; an empty actions list means "
        "denied. The request needing those actions will fail.",
        "Give the account the missing rights on the repository (ACR: AcrPush or a scope map; "
        "Harbor: project role), or log in as an account that has them.",
    ),
    Code.INSUFFICIENT_SCOPE: Spec(
        Severity.MEDIUM,
        "The registry refused a request for lack of rights",
        "The registry answered insufficient_scope, DENIED or UNAUTHORIZED to a request that "
        "carried a token; that token does not hold the action the request needs.",
        "Compare the scope the registry wanted with the token's access below; grant the account "
        "the missing action (ACR: role assignments take minutes to propagate).",
    ),
    Code.TOKEN_REQUEST_FAILED: Spec(
        Severity.HIGH,
        "The token endpoint refused or failed the token request",
        "The request for a token (GET realm, POST /oauth2/token, ACR /oauth2/exchange) did not "
        "answer 2xx: wrong credentials (401), a firewall or network rule (403, "
        "check-health's CONNECTIVITY_FORBIDDEN_ERROR), or an Entra ID failure.",
        "Check the username and password or token (docker login again); for 403 check the "
        "registry's firewall and network rules.",
    ),
    Code.CHALLENGE_MISSING: Spec(
        Severity.MEDIUM,
        "A 401 came without a usable WWW-Authenticate challenge",
        "Clients need the challenge's realm and service to fetch a token. Often a proxy, firewall "
        "or gateway answered instead of the registry (check-health's "
        "CONNECTIVITY_CHALLENGE_ERROR).",
        "Check which hop produced the 401 (its headers and body are in the flow); bypass the "
        "middlebox or fix the registry's auth configuration.",
    ),
    Code.RATE_LIMITED: Spec(
        Severity.MEDIUM,
        "The registry rate-limited the client",
        "429 / TOOMANYREQUESTS, or Docker Hub's ratelimit-remaining running low. Docker Hub counts "
        "manifest GETs (not HEADs) per account or IP.",
        "Log in (authenticated pulls have higher limits), use a pull-through mirror, or wait for "
        "the window shown.",
    ),
    Code.CLIENT_REJECTED_PROXY_CA: Spec(
        Severity.HIGH,
        "The client does not trust acrproxy's CA",
        "The client aborted the TLS handshake with the proxy: it does not trust the certificate "
        "acrproxy made for this host.",
        "Trust acrproxy's CA (path printed at start). Docker: the system trust store, or "
        "/etc/docker/certs.d/HOST/ca.crt for the registry host, plus the system store for redirect "
        "(storage) hosts, then restart dockerd. skopeo/podman: --cert-dir or --tls-verify with the "
        "CA in /etc/containers/certs.d/HOST/ca.crt. containerd: hosts.toml ca=.",
    ),
    Code.UPSTREAM_ERROR: Spec(
        Severity.HIGH,
        "No response from the upstream server",
        "The proxy could not get an answer (DNS, connect, TLS, timeout or reset): the client sees "
        "'Client.Timeout exceeded while awaiting headers' or a reset.",
        "Check that the host resolves and is reachable from here, the upstream TLS trust "
        "(--set ssl_verify_upstream_trusted_ca=...), and firewalls.",
    ),
    Code.TOKEN_REFETCHED: Spec(
        Severity.INFO,
        "A token was fetched again while an earlier one for the same scope was still valid",
        "The client did not reuse its token. Harmless, but it multiplies token-server load and "
        "can hit rate limits.",
        "Nothing to fix for docker/skopeo (they do not cache tokens across runs).",
    ),
    Code.BLOB_DIGEST_MISMATCH: Spec(
        Severity.HIGH,
        "A blob's content does not match its digest",
        "The sha256 of the bytes that passed the proxy differs from the digest in the URL or "
        "Docker-Content-Digest: corrupted storage, a broken middlebox, or a truncated transfer.",
        "Retry; if it persists, report the blob digest and storage host to the registry operator.",
    ),
    Code.UPSTREAM_SLOW: Spec(
        Severity.MEDIUM,
        "The upstream took too long to answer, or the client gave up first",
        "Docker reports this as 'net/http: request canceled while waiting for connection "
        "(Client.Timeout exceeded while awaiting headers)'. The phase says where the time went: "
        "connecting, the TLS handshake, or waiting for the first byte of the answer.",
        "If it happened once, retry (clients should). If it persists, restart the Docker daemon; "
        "if it still persists, check this machine's network and the path to the host named "
        "(DNS, proxy, firewall, the registry's or storage's health).",
    ),
    Code.SIGNATURE_LOOKUP_FAILED: Spec(
        Severity.MEDIUM,
        "An image signature lookup failed",
        "The client asked for the image's signatures (the registry's signature extension or a "
        "lookaside store) and was refused or found none. Red Hat's build of the Docker daemon "
        "does this by default (--signature-verification), and then 'docker pull' fails with "
        "'unauthorized: authentication required' although 'docker push' worked.",
        "Either publish signatures where the daemon looks for them, or turn the check off: add "
        "--signature-verification=false to OPTIONS in /etc/sysconfig/docker and restart "
        "docker.service.",
    ),
    Code.PAGINATION_NOT_FOLLOWED: Spec(
        Severity.INFO,
        "A paginated list was not followed to its end",
        'The registry answered a catalog or tag list with a Link: <...>; rel="next" header: '
        "there are more entries. The client never asked for the next page, so it saw part of the "
        "list (ACR's portal shows 100 at a time).",
        "Follow the Link header (or ask with ?n=... and last=...); tools such as crane, regctl "
        "and skopeo list-tags do.",
    ),
    Code.PERMISSION_PROPAGATION: Spec(
        Severity.INFO,
        "A permission took effect minutes after it was refused",
        "The same account was refused an action and then, minutes later, granted it: a new role "
        "assignment was still propagating (Entra ID role assignments take minutes; ACR's token "
        "server caches permissions for up to 10 minutes).",
        "After changing permissions, wait a few minutes; docker logout, wait a minute, and docker "
        "login again with the same account.",
    ),
}


EvidenceValue = str | int | float | list[str] | None


class Finding(BaseModel):
    """One finding, with redacted evidence and the exchanges that show it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    severity: Severity
    title: str
    explanation: str
    advice: str
    detail: str = ""
    """The specifics of this occurrence, in one or two sentences (never a secret)."""
    exchanges: list[str] = Field(default_factory=list)
    """Ids of the exchanges (HTTP request/response pairs) that show it."""
    evidence: dict[str, EvidenceValue] = Field(default_factory=dict)
    """The check's typed evidence, as plain data (see each check family's Evidence model)."""
    _key: str = PrivateAttr(default="")
    """What makes two occurrences the same finding (e.g. a host); internal, never exported."""

    @property
    def key(self) -> str:
        return self._key

    def __eq__(self, other: object) -> bool:
        """Equal when the public data is (the internal key does not travel with exports)."""
        if not isinstance(other, Finding):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = BaseModel.__hash__


class Evidence(BaseModel):
    """Base of each check family's evidence: typed where it is made, plain data in a finding."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def make(
    code: Code,
    exchanges: list[str],
    detail: str = "",
    key: str = "",
    severity: Severity | None = None,
    evidence: Evidence | None = None,
) -> Finding:
    """A finding of `code` with its catalogue text; `key` de-duplicates (default: the detail).

    The detail and evidence come from traffic: they go through redaction here, so no check can
    put a secret into an output.
    """
    spec = CATALOGUE[code]
    finding = Finding(
        code=code,
        severity=severity or spec.severity,
        title=spec.title,
        explanation=spec.explanation,
        advice=spec.advice,
        detail=scrub(detail),
        exchanges=exchanges,
        evidence=scrub_tree(evidence.model_dump(mode="json")) if evidence is not None else {},
    )
    finding._key = key or detail
    return finding
