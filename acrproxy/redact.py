"""Registry-aware redaction of HAR data: secrets become fingerprints, JWTs lose their signature.

A redacted capture is still fully analysable: a JWT keeps its header and claims, every other
secret becomes `redacted:sha256:1a2b3c4d` (the same secret, the same marker), Basic credentials
keep their username, and WWW-Authenticate, realm, service and scope are kept.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from acrproxy.tokens import fingerprint, looks_like_jwt, strip_signature

SECRET_HEADERS = {"authorization", "proxy-authorization"}
COOKIE_HEADERS = {"cookie", "set-cookie"}
SIGNED_PARAMS = {
    "sig",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "signature",
    "key-pair-id",
}
SECRET_FIELDS = {
    "password",
    "refresh_token",
    "access_token",
    "token",
    "id_token",
    "identity_token",
    "client_secret",
}
_MARKER = re.compile(r"^redacted:sha256:[0-9a-f]{8}$")
_ANY_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8,}")


class Redactor:
    """Counts what it redacted; one instance per export."""

    def __init__(self) -> None:
        self.count = 0

    def secret(self, value: str) -> str:
        if not value or _MARKER.match(value):
            return value
        self.count += 1
        if looks_like_jwt(value):
            return strip_signature(value)
        return f"redacted:{fingerprint(value)}"

    def authorization(self, value: str) -> str:
        scheme, _, rest = value.strip().partition(" ")
        if not rest:
            return self.secret(value)
        if scheme.lower() == "basic":
            try:
                user, password = (
                    base64.b64decode(rest.strip(), validate=True).decode().split(":", 1)
                )
            except (binascii.Error, ValueError, UnicodeError):
                return f"{scheme} {self.secret(rest.strip())}"
            marked = f"{user}:{self.secret(password)}"
            return f"{scheme} {base64.b64encode(marked.encode()).decode()}"
        return f"{scheme} {self.secret(rest.strip())}"

    def cookies(self, value: str, set_cookie: bool) -> str:
        parts = value.split(";")
        pairs = parts[:1] if set_cookie else parts
        out = []
        for p in pairs:
            name, eq, v = p.partition("=")
            out.append(f"{name}={self.secret(v.strip())}" if eq else p)
        return ";".join(out + (parts[1:] if set_cookie else []))

    def url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.jwts(url)
        if not parts.query:
            return url
        q = parse_qsl(parts.query, keep_blank_values=True)
        if not any(k.lower() in SIGNED_PARAMS | SECRET_FIELDS for k, _ in q):
            return url
        q = [(k, self.secret(v) if k.lower() in SIGNED_PARAMS | SECRET_FIELDS else v) for k, v in q]
        return urlunsplit(parts._replace(query=urlencode(q, safe=":/,")))

    def form(self, text: str) -> str:
        q = parse_qsl(text, keep_blank_values=True)
        if not any(k.lower() in SECRET_FIELDS for k, _ in q):
            return self.jwts(text)
        return urlencode(
            [(k, self.secret(v) if k.lower() in SECRET_FIELDS else v) for k, v in q], safe=":/,"
        )

    def json_text(self, text: str) -> str:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return self.jwts(text)
        return json.dumps(self._walk(data))

    def _walk(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: self.secret(v)
                if isinstance(v, str) and k.lower() in SECRET_FIELDS
                else self._walk(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [self._walk(v) for v in node]
        if isinstance(node, str):
            return self.jwts(node)
        return node

    def jwts(self, text: str) -> str:
        """Safety net: drop the signature of any JWT left in free text."""
        return _ANY_JWT.sub(lambda m: self.secret(m.group(0)), text)

    def headers(self, headers: list[dict[str, Any]]) -> None:
        for h in headers:
            name, value = str(h.get("name", "")).lower(), h.get("value")
            if not isinstance(value, str):
                continue
            if name in SECRET_HEADERS:
                h["value"] = self.authorization(value)
            elif name in COOKIE_HEADERS:
                h["value"] = self.cookies(value, name == "set-cookie")
            elif "?" in value:  # Location, Referer, HTTP/2's :path, ...: signed queries
                h["value"] = self.jwts(self.url(value))
            else:
                h["value"] = self.jwts(value)

    def entry(self, entry: dict[str, Any]) -> None:
        req, resp = entry.get("request") or {}, entry.get("response") or {}
        if isinstance(req.get("url"), str):
            req["url"] = self.url(req["url"])
        for side in (req, resp):
            self.headers(side.get("headers") or [])
            for c in side.get("cookies") or []:
                if isinstance(c, dict) and isinstance(c.get("value"), str):
                    c["value"] = self.secret(c["value"])
        for q in req.get("queryString") or []:
            if (
                isinstance(q, dict)
                and str(q.get("name", "")).lower() in SIGNED_PARAMS | SECRET_FIELDS
            ):
                q["value"] = self.secret(str(q.get("value", "")))
        post = req.get("postData") or {}
        if isinstance(post.get("text"), str):
            post["text"] = self._body(post["text"], str(post.get("mimeType", "")))
        for p in post.get("params") or []:
            if isinstance(p, dict) and str(p.get("name", "")).lower() in SECRET_FIELDS:
                p["value"] = self.secret(str(p.get("value", "")))
        if isinstance(resp.get("redirectURL"), str):
            resp["redirectURL"] = self.url(resp["redirectURL"])
        content = resp.get("content") or {}
        if isinstance(content.get("text"), str):
            if content.get("encoding") == "base64":
                try:
                    raw = base64.b64decode(content["text"]).decode("utf-8")
                except (binascii.Error, ValueError, UnicodeError):
                    raw = None
                if raw is not None:
                    content["text"] = base64.b64encode(
                        self._body(raw, content.get("mimeType", "")).encode()
                    ).decode()
            else:
                content["text"] = self._body(content["text"], str(content.get("mimeType", "")))

    def _body(self, text: str, mime: str) -> str:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            return self.json_text(text)
        if "x-www-form-urlencoded" in mime or ("=" in text and "&" in text and " " not in text):
            return self.form(text)
        return self.jwts(text)

    def har(self, har: dict[str, Any]) -> dict[str, Any]:
        for entry in (har.get("log") or {}).get("entries") or []:
            if isinstance(entry, dict):
                self.entry(entry)
        return har


def redact_url(url: str) -> str:
    """A URL with its signed or secret query parameters redacted."""
    return Redactor().url(url)
