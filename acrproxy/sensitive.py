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
