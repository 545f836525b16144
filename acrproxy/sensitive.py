"""What is secret in registry traffic, and the size limits that bound what acrproxy keeps.

One place for both, so redaction, the checks and the addons agree on every name and number.
"""

from __future__ import annotations

# -- credentials -----------------------------------------------------------------------------
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})
"""Headers whose value is a credential (`<scheme> <secret>`)."""
COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})
LEAKY_HEADERS = ("authorization", "proxy-authorization", "cookie")
"""Request headers that must not follow a redirect to another origin."""

URL_SIGNATURE_PARAMS = frozenset({"sig", "x-amz-signature", "x-goog-signature"})
"""Query parameters that make a URL a signed (pre-authorised) storage URL."""
SIGNED_URL_SECRET_PARAMS = URL_SIGNATURE_PARAMS | frozenset(
    {"x-amz-credential", "x-amz-security-token", "x-goog-credential", "signature", "key-pair-id"}
)
SECRET_FIELDS = frozenset(
    {
        "password",
        "refresh_token",
        "access_token",
        "token",
        "id_token",
        "identity_token",
        "client_secret",
    }
)
"""Form, query and JSON fields that hold a secret (token responses, OAuth2 and ACR forms)."""

# -- what redaction keeps (everything else is fingerprinted) ---------------------------------
SAFE_QUERY_PARAMS = frozenset(
    {
        # registry and token endpoints
        "service",
        "scope",
        "account",
        "client_id",
        "grant_type",
        "offline_token",
        "access_type",
        "username",
        "tenant",
        "n",
        "last",
        "mount",
        "from",
        "digest",
        "artifacttype",
        # Azure SAS (not sig), S3 and GCS presigned URLs (not the signature or credential)
        "se",
        "sp",
        "sv",
        "sr",
        "spr",
        "st",
        "sip",
        "ss",
        "srt",
        "skoid",
        "sktid",
        "skt",
        "ske",
        "sks",
        "skv",
        "rscc",
        "rscd",
        "rsce",
        "rscl",
        "rsct",
        "comp",
        "restype",
        "api-version",
        "x-amz-date",
        "x-amz-expires",
        "x-amz-algorithm",
        "x-amz-signedheaders",
        "x-goog-date",
        "x-goog-expires",
        "x-goog-algorithm",
        "x-goog-signedheaders",
        "expires",
        "response-content-type",
        "response-content-disposition",
    }
)
"""Query, fragment and form parameters whose values carry no secret: kept as they are."""

SAFE_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "accept-ranges",
        "age",
        "alt-svc",
        "cache-control",
        "connection",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-length",
        "content-range",
        "content-type",
        "date",
        "docker-content-digest",
        "docker-distribution-api-version",
        "docker-upload-uuid",
        "docker-ratelimit-source",
        "etag",
        "expect",
        "expires",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "keep-alive",
        "last-modified",
        "oci-subject",
        "oci-filters-applied",
        "pragma",
        "range",
        "ratelimit-limit",
        "ratelimit-remaining",
        "retry-after",
        "server",
        "strict-transport-security",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "vary",
        "via",
        "www-authenticate",
        "x-content-type-options",
        "x-frame-options",
        "x-ms-request-id",
        "x-ms-version",
        "x-ms-error-code",
        "x-ms-client-request-id",
        "x-ms-correlation-request-id",
        "x-amz-request-id",
        "x-amz-id-2",
        "x-request-id",
        "x-correlation-id",
        "x-cache",
        "x-served-by",
        "x-github-request-id",
        "cf-ray",
        "cf-cache-status",
        ":authority",
        ":method",
        ":scheme",
        ":status",
        "x-ms-blob-type",
        "x-ms-creation-time",
        "x-ms-lease-state",
        "x-ms-server-encrypted",
        "content-md5",
        "x-amz-version-id",
        "x-amz-server-side-encryption",
    }
)
"""Headers whose values are kept verbatim (free text in them is still scrubbed of tokens)."""
URL_HEADERS = frozenset({"location", "content-location", "referer", "link", ":path", "origin"})
"""Headers that carry URLs: kept with their URLs redacted."""
CREDENTIAL_WORDS = (
    "auth",
    "token",
    "key",
    "secret",
    "signature",
    "credential",
    "pass",  # password, passwd, passphrase, pass
    "pwd",
    "bearer",
    "jwt",
    "cookie",
    "session",
    "sig",
)
"""A header, JSON key or field whose name holds one of these carries a secret."""
REGISTRY_AUTH_KEEP = frozenset({"username", "serveraddress", "email"})
"""Fields of Docker's X-Registry-Auth (base64 JSON) that are kept; the rest are fingerprinted."""


def credential_like(name: str) -> bool:
    """True when a header, field or key name says it holds a secret."""
    n = name.lower()
    return any(w in n for w in CREDENTIAL_WORDS)


# -- size limits -----------------------------------------------------------------------------
MiB = 1024 * 1024
STREAM_THRESHOLD = MiB
"""Default of the `acrproxy_stream_threshold` option: larger bodies (and blobs) are streamed,
not buffered; buffered bodies up to this size are analysed and exported."""
BLOB_STREAM_MIN = 64 * 1024
"""Blob bodies larger than this are streamed even under the threshold."""
TOKEN_BODY_MAX = MiB
"""Token requests and responses larger than this are not parsed."""
ERROR_BODY_MAX = 64 * 1024
"""Registry and storage error bodies are inspected up to this size."""
HEADER_MAX = 64 * 1024
"""A WWW-Authenticate value longer than this is not parsed."""
SCOPE_MAX = 4096
TOKEN_MAX = 256 * 1024

# -- bounds on what one analysis session keeps (see the README) ------------------------------
MAX_AUTH_FLOWS = 1000
"""Auth flows kept for the report (the newest; older ones are counted as dropped)."""
MAX_TRACKED = 1000
"""Open challenges, realms, issued tokens, redirect chains, hosts: each at most this many."""
MAX_EXCHANGES_KEPT = 5000
"""Exchanges listed in the report (the newest; the rest are counted)."""
MAX_FINDINGS = 1000
"""Distinct findings kept (later new ones are counted as dropped)."""
MAX_EXCHANGES_PER_FINDING = 100
"""Exchange ids listed per finding."""
KEPT_VALUE_MAX = 1024
"""A challenge parameter or token-request value longer than this is kept shortened."""
CACHED_VALUE_MAX = 4096
"""Only header values and paths up to this size are cached by the parsers."""
