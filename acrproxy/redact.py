"""Fail-closed redaction: keep what is known safe, replace everything else by a fingerprint.

Every output acrproxy writes or prints goes through here. The rules (also in the README):

- URLs: the path is kept (JWT signatures in it go); query and fragment values are kept only for
  parameters known to carry no secret (`sensitive.SAFE_QUERY_PARAMS`); a userinfo password
  always goes.
- Headers: kept verbatim only when known safe (`sensitive.SAFE_HEADERS`); URL headers keep their
  URLs redacted; `Authorization` keeps its scheme (and a Basic username); cookies keep their
  names; `X-Registry-Auth` keeps its username and server; every other header is fingerprinted.
- JSON: keys are matched case-insensitively at any depth; a credential-like key's value is
  fingerprinted, or, for a JWT, loses its signature. Every JWT anywhere loses its signature,
  including JWTs inside other JWTs' claims (then re-encoded).
- Bodies: JSON, forms and XML are parsed and redacted; short error texts are scrubbed; anything
  else (binary, multipart, unparseable) is replaced by its size and sha256.

A secret becomes `redacted:sha256:1a2b3c4d` (the same secret, the same marker), so one credential
can still be followed and redacted captures analyse like raw ones. Everything here runs in time
linear in its input: no pattern can backtrack over more than a bounded window.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_plus, urlsplit, urlunsplit

from acrproxy.fingerprint import is_marker, looks_like_jwt, marker
from acrproxy.sensitive import (
    COOKIE_HEADERS,
    CREDENTIAL_HEADERS,
    REGISTRY_AUTH_KEEP,
    SAFE_HEADERS,
    SAFE_QUERY_PARAMS,
    URL_HEADERS,
    credential_like,
)

MAX_DEPTH = 64
"""JSON (and JWT claims) nested deeper than this is replaced as a whole."""
ERROR_TEXT_MAX = 4096
"""Error response texts (HTML, plain) up to this size are kept, scrubbed; larger ones go."""
MAX_CANDIDATES = 256
"""A string with more JWT- or parameter-like candidates than this (per 4 KiB) is replaced whole:
nothing a person reads looks like that, and it keeps the work per byte small."""
TOO_DEEP = "redacted:too-deep"
LEFT_OUT = "body left out by redaction (not known to be safe); size and sha256 kept"

_RUN = re.compile(r"[A-Za-z0-9_.-]{12,}")
"""Candidate JWTs: maximal runs of base64url characters and dots (found in linear time)."""
_PARAM = re.compile(r"([?&;#])([^=&#?;\s\"'<>]{1,100})=([^&#;\s\"'<>]*)")
_BARE = re.compile(r"([?&#])([A-Za-z0-9._~+/%-]{8,})(?=$|[\s\"'<>&#;])")
"""A query or fragment part with no `=`: a value on its own (a token pasted after `?`)."""
_USER_ONLY = re.compile(r"(://)([^/\s:@\"'<>]{1,200})@")
"""A URL's userinfo with no `:`: a user name, or a token used as one (`https://<token>@host`)."""
_AUTHORIZATION = re.compile(
    r"(?i)\b((?:proxy-)?authorization\"?[ \t]{0,5}[:=][ \t]{0,5}\"?"
    r"(?:[A-Za-z][A-Za-z0-9_-]{0,30}[ \t]+)?)([^\s\"&,;<>]{1,4096})"
)
"""An Authorization value written out in text, whatever its scheme (`Token`, `Negotiate`)."""
_NOT_PLAIN = re.compile(r"[=&?#\s]")
"""In a known-safe parameter's decoded value: a pair or words hidden in it, so not plain."""
_USERINFO = re.compile(r"(://[^/\s:@\"'<>]{0,200}):([^/\s@\"'<>]{0,500})@")
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)([ \t]+)([A-Za-z0-9._~+/-]{8,}=*)")
_NAMED = re.compile(
    r"(?i)\b((?:password|passwd|pass|pwd|secret|client_secret|token|access_token|refresh_token|"
    r"api[_-]?key|identitytoken|auth|session|"
    r"(?:[a-z0-9]{1,20}[_-]){0,3}(?:secret|private|access)(?:[_-]access)?[_-]?key)"
    r"\"?[ \t]{0,5}[:=][ \t]{0,5}\"?)([^\s\"&,;<>]{1,4096})"
)

_KNOWN_TOKEN = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255}|glpat-[A-Za-z0-9_-]{20,255}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,255})\b"
)
"""Tokens known by their prefix wherever they stand: GitHub (ghcr.io logins), GitLab personal
access tokens, AWS access key ids, Slack tokens."""
_KNOWN_PREFIXES = ("gh", "github_pat_", "glpat-", "AKIA", "ASIA", "xox")
"""Every `_KNOWN_TOKEN` match starts with one of these (the quick test before it)."""
_NAMED_HINT = re.compile(r"(?:pass(?:word|wd)?|pwd|secret|token|key|auth|session)\"?[ \t]{0,5}[:=]")
"""What every `_NAMED` match holds, in lower-case ASCII text: a name's ending and its `:`/`=`
(a case-sensitive pattern is several times faster than the case-insensitive one)."""


class NotAHar(ValueError):
    """Raised when a file's structure is not a HAR's; the message says where."""


def _b64url_json(segment: str) -> Any:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return json.loads(raw)


class Redactor:
    """Counts what it redacted; one instance per export."""

    def __init__(self) -> None:
        self.count = 0

    # -- values ----------------------------------------------------------------------------
    def secret(self, value: str) -> str:
        """A secret's marker (a JWT keeps its header and redacted claims instead)."""
        if not value or is_marker(value):
            return value
        self.count += 1
        if looks_like_jwt(value):
            header, claims = value.split(".")[:2]
            return self._jwt(header, claims, depth=0)
        return marker(value)

    def _jwt(self, header: str, claims: str, depth: int) -> str:
        """A JWT without its signature; its claims re-encoded only if they held secrets."""
        if depth < 8:
            try:
                data = _b64url_json(claims)
            except (ValueError, binascii.Error, RecursionError):
                data = None
            if isinstance(data, dict):
                before = self.count
                redacted = self._walk(data, depth + 1)
                if self.count != before:
                    encoded = json.dumps(redacted, separators=(",", ":")).encode()
                    claims = base64.urlsafe_b64encode(encoded).decode().rstrip("=")
        return f"{header}.{claims}."

    def jwts(self, text: str) -> str:
        """Drop the signature of every JWT in free text (linear: one pass over runs)."""
        if "eyJ" not in text:
            return text
        out: list[str] = []
        last = 0
        for m in _RUN.finditer(text):
            run = m.group(0)
            if "eyJ" not in run:
                continue
            parts = run.split(".")
            changed = False
            i = 0
            while i + 2 < len(parts):
                if parts[i].startswith("eyJ") and parts[i + 1] and parts[i + 2]:
                    self.count += 1
                    parts[i : i + 3] = [self._jwt(parts[i], parts[i + 1], 0)[:-1], ""]
                    changed = True
                    i += 2
                else:
                    i += 1
            if changed:
                out.append(text[last : m.start()])
                out.append(".".join(parts))
                last = m.end()
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def text(self, text: str) -> str:
        """Scrub free text: JWT signatures, URL query secrets and passwords, credentials."""
        allowed = MAX_CANDIDATES * (1 + len(text) // 4096)
        if text.count("eyJ") > allowed or text.count("=") > allowed or text.count("@") > allowed:
            return self.secret(text)
        text = self.jwts(text)
        if "=" in text:
            text = _PARAM.sub(self._param_sub, text)
        if "@" in text:
            text = _USERINFO.sub(self._userinfo_sub, text)
            text = _USER_ONLY.sub(self._user_only_sub, text)
        if "?" in text or "#" in text or "&" in text:
            text = _BARE.sub(self._bare_sub, text)
        if any(p in text for p in _KNOWN_PREFIXES):
            text = _KNOWN_TOKEN.sub(self._known_token_sub, text)
        # The quick tests below read the lower-cased text, which matches the case-insensitive
        # patterns' letters exactly in ASCII text only (re folds ſ to s): otherwise run them all.
        every = not text.isascii()
        low = text.lower()
        if every or "bearer" in low or "basic" in low:
            text = _CREDENTIAL.sub(self._credential_sub, text)
            low = text.lower()
        if every or "authorization" in low:
            text = _AUTHORIZATION.sub(self._named_sub, text)
            low = text.lower()
        if every or _NAMED_HINT.search(low):
            text = _NAMED.sub(self._named_sub, text)
        return text

    def _param_sub(self, m: re.Match[str]) -> str:
        sep, name, value = m.group(1), m.group(2), m.group(3)
        if not value or is_marker(value):
            return m.group(0)
        if name.lower() in SAFE_QUERY_PARAMS and not _NOT_PLAIN.search(unquote_plus(value)):
            return m.group(0)  # a known name with a plain value (no hidden pair, no space)
        return f"{sep}{name}={self.secret(value)}"

    def _known_token_sub(self, m: re.Match[str]) -> str:
        return self.secret(m.group(0))

    def _user_only_sub(self, m: re.Match[str]) -> str:
        user = m.group(2)
        return m.group(0) if is_marker(user) else f"{m.group(1)}{self.secret(user)}@"

    def _bare_sub(self, m: re.Match[str]) -> str:
        value = m.group(2)
        if is_marker(value) or value.lower() in SAFE_QUERY_PARAMS:
            return m.group(0)
        return f"{m.group(1)}{self.secret(value)}"

    def _userinfo_sub(self, m: re.Match[str]) -> str:
        return f"{m.group(1)}:{self.secret(m.group(2))}@" if m.group(2) else m.group(0)

    def _credential_sub(self, m: re.Match[str]) -> str:
        value = m.group(3)
        if is_marker(value) or value.endswith("."):  # already a marker or a stripped JWT
            return m.group(0)
        if value.isalpha() and value.islower():  # a word ("Basic credentials"), not a secret
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{self.secret(value)}"

    def _named_sub(self, m: re.Match[str]) -> str:
        value = m.group(2)
        if is_marker(value) or value.startswith("redacted:") or value.endswith("."):
            return m.group(0)
        return f"{m.group(1)}{self.secret(value)}"

    # -- URLs and headers ------------------------------------------------------------------
    def _pairs(self, query: str) -> str:
        if query.count("&") + query.count(";") > MAX_CANDIDATES * 4:
            return self.secret(query)  # thousands of parameters: nothing to read, all to hide
        kept = []
        for name, value in parse_qsl(query, keep_blank_values=True):
            name, kept_value = self._pair(name, value)
            if kept_value is None:
                kept.append(quote(name, safe=":", errors="surrogateescape"))
                continue
            name_q = quote(name, safe="", errors="surrogateescape")
            value_q = quote(kept_value, safe=":/,@", errors="surrogateescape")
            kept.append(f"{name_q}={value_q}")
        return "&".join(kept)

    def _pair(self, name: str, value: str) -> tuple[str, str | None]:
        """A query or form parameter as kept: a known name's value scrubbed like text, any other
        value fingerprinted; with no value the name is all there is, and may be a token pasted
        after `?`, so it is fingerprinted and stands alone (None)."""
        if name.lower() in SAFE_QUERY_PARAMS:
            return name, self.text(value)
        if value:
            return name, self.secret(value)
        return self.secret(name), None

    def url(self, url: str) -> str:
        """A URL with its secrets gone (see the module's rules)."""
        try:
            parts = urlsplit(url)
            netloc = parts.netloc
        except ValueError:
            return self.text(url)
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, colon, password = userinfo.partition(":")
            if colon:
                netloc = f"{user}:{self.secret(password)}@{hostport}"
            else:  # a user name, or a token used as one: not known to be safe
                netloc = f"{self.secret(userinfo)}@{hostport}"
        query = self._pairs(parts.query) if parts.query else ""
        fragment = parts.fragment
        if fragment:
            fragment = self._pairs(fragment) if "=" in fragment else self.secret(fragment)
        unchanged = (netloc, query, fragment) == (parts.netloc, parts.query, parts.fragment)
        path = self.jwts(parts.path)
        if unchanged and path == parts.path:
            return url
        return urlunsplit((parts.scheme, netloc, path, query, fragment))

    def authorization(self, value: str) -> str:
        scheme, _, rest = value.strip().partition(" ")
        rest = rest.strip()
        if not rest:
            return self.secret(value)
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(rest, validate=True).decode().partition(":")
            except (binascii.Error, ValueError, UnicodeError):
                return f"{scheme} {self.secret(rest)}"
            if not sep:
                return f"{scheme} {self.secret(rest)}"
            marked = f"{user}:{self.secret(password)}"
            return f"{scheme} {base64.b64encode(marked.encode()).decode()}"
        return f"{scheme} {self.secret(rest)}"

    def cookies(self, value: str, set_cookie: bool) -> str:
        parts = value.split(";")
        pairs = parts[:1] if set_cookie else parts
        out = []
        for p in pairs:
            name, eq, v = p.partition("=")
            out.append(f"{name}={self.secret(v.strip())}" if eq else p)
        rest = [self.text(p) for p in parts[1:]] if set_cookie else []
        return ";".join(out + rest)

    def registry_auth(self, value: str) -> str:
        """Docker's X-Registry-Auth: base64url JSON of username, password, identitytoken, ..."""
        try:
            data = _b64url_json(value.strip())
        except (ValueError, binascii.Error, RecursionError):
            return self.secret(value)
        if not isinstance(data, dict):
            return self.secret(value)
        kept = {
            k: v if k.lower() in REGISTRY_AUTH_KEEP and isinstance(v, str) else self._any(v)
            for k, v in data.items()
        }
        return base64.urlsafe_b64encode(json.dumps(kept).encode()).decode()

    def _any(self, v: Any) -> Any:
        return self.secret(v) if isinstance(v, str) else self._walk(v, 1, secret=True)

    def header(self, name: str, value: str) -> str:
        n = name.lower()
        if n in CREDENTIAL_HEADERS:
            return self.authorization(value)
        if n in COOKIE_HEADERS:
            return self.cookies(value, n == "set-cookie")
        if n == "x-registry-auth":
            return self.registry_auth(value)
        if n in URL_HEADERS:
            return self.url(value) if n != "link" else self.text(value)
        if n in SAFE_HEADERS:
            return self.text(value)
        return self.secret(value)

    def headers(self, headers: Any, where: str) -> None:
        for i, h in enumerate(_list(headers, where)):
            h = _dict(h, f"{where}[{i}]")
            name, value = h.get("name"), h.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                raise NotAHar(f"{where}[{i}]: name and value must be strings")
            h["value"] = self.header(name, value)

    # -- JSON and bodies -------------------------------------------------------------------
    def _walk(self, node: Any, depth: int, secret: bool = False) -> Any:
        if depth > MAX_DEPTH:
            self.count += 1
            return TOO_DEEP
        if isinstance(node, dict):
            return {
                k: self._walk(v, depth + 1, secret or credential_like(str(k)))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [self._walk(v, depth + 1, secret) for v in node]
        if isinstance(node, str):
            return self.secret(node) if secret else self.text(node)
        return node

    def json(self, node: Any) -> Any:
        """A JSON-like structure redacted (keys matched at any depth)."""
        return self._walk(node, 0)

    def json_text(self, text: str) -> str | None:
        """Redacted JSON text, or None when it is not JSON (or too deep to parse)."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return json.dumps(self._walk(data, 0))

    def form(self, text: str) -> str:
        return self._pairs(text)

    def xml_text(self, text: str) -> str | None:
        """Redacted XML text (storage error bodies), or None when it is not XML."""
        try:
            root = ET.fromstring(text)
        except (ET.ParseError, ValueError, RecursionError):
            return None
        before = self.count
        for el in root.iter():
            secret = credential_like(str(el.tag))
            if el.text:
                el.text = self.secret(el.text) if secret else self.text(el.text)
            for k, v in el.attrib.items():
                el.attrib[k] = self.secret(v) if credential_like(k) else self.text(v)
        if self.count == before:
            return text
        return ET.tostring(root, encoding="unicode")

    def body(self, text: str, mime: str, error: bool) -> str | None:
        """A body's redacted text, or None when it must be replaced by its size and sha256."""
        m = mime.lower()
        stripped = text.lstrip("\ufeff \t\r\n")
        if "json" in m or stripped.startswith(("{", "[")):
            return self.json_text(stripped)
        if "x-www-form-urlencoded" in m:
            return self.form(text)
        if "xml" in m or stripped.startswith("<?xml"):
            return self.xml_text(stripped)
        if error and len(text) <= ERROR_TEXT_MAX and not m.startswith("multipart/"):
            return self.text(text)
        if not text:
            return text
        return None

    def _content(self, content: dict[str, Any], key: str, enc_key: str, error: bool) -> None:
        text = content.get(key)
        if text is None:
            return
        if not isinstance(text, str):
            raise NotAHar(f"{key} is not a string")
        raw: bytes
        decoded: str | None
        if content.get(enc_key) == "base64":
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raw = text.encode()
            try:
                decoded = raw.decode("utf-8")
            except UnicodeError:
                decoded = None
        else:
            decoded, raw = text, text.encode("utf-8", "surrogatepass")
        mime = content.get("mimeType")
        redacted = self.body(decoded, str(mime or ""), error) if decoded is not None else None
        if redacted is None:
            self.count += 1
            content[key] = ""
            content.pop(enc_key, None)
            content["_size"] = len(raw)
            content["_sha256"] = "sha256:" + hashlib.sha256(raw).hexdigest()
            content["comment"] = (
                "body left out by redaction (not known to be safe); size and sha256 kept"
            )
        elif content.get(enc_key) == "base64":
            content[key] = base64.b64encode(redacted.encode()).decode()
        else:
            content[key] = redacted

    # -- HAR -------------------------------------------------------------------------------
    def entry(self, entry: Any, where: str = "entry") -> None:
        entry = _dict(entry, where)
        req = _dict(entry.get("request"), f"{where}.request")
        resp = entry.get("response")
        resp = _dict(resp, f"{where}.response") if resp is not None else {}
        url = req.get("url")
        if not isinstance(url, str):
            raise NotAHar(f"{where}.request.url is not a string")
        req["url"] = self.url(url)
        for side, name in ((req, "request"), (resp, "response")):
            if "headers" in side:
                self.headers(side["headers"], f"{where}.{name}.headers")
            for i, c in enumerate(_list(side.get("cookies", []), f"{where}.{name}.cookies")):
                c = _dict(c, f"{where}.{name}.cookies[{i}]")
                if "value" in c:
                    c["value"] = self.secret(str(c["value"]))
        for i, q in enumerate(_list(req.get("queryString", []), f"{where}.request.queryString")):
            self._param(_dict(q, f"{where}.request.queryString[{i}]"))
        post = req.get("postData")
        if post is not None:
            post = _dict(post, f"{where}.request.postData")
            self._content(post, "text", "_encoding", error=False)
            for i, p in enumerate(
                _list(post.get("params", []), f"{where}.request.postData.params")
            ):
                self._param(_dict(p, f"{where}.request.postData.params[{i}]"))
        if resp:
            if isinstance(resp.get("redirectURL"), str):
                resp["redirectURL"] = self.url(resp["redirectURL"])
            status = resp.get("status")
            error = isinstance(status, int) and status >= 400
            if "content" in resp:
                content = _dict(resp["content"], f"{where}.response.content")
                self._content(content, "text", "encoding", error)
        for msg in _list(entry.get("_webSocketMessages", []), f"{where}._webSocketMessages"):
            if isinstance(msg, dict) and isinstance(msg.get("data"), str):
                self.count += 1
                data = msg["data"].encode("utf-8", "surrogatepass")
                msg["data"] = ""
                msg["_size"] = len(data)
                msg["_sha256"] = "sha256:" + hashlib.sha256(data).hexdigest()
        _scrub_rest(entry, self.text, KNOWN_ENTRY)
        _scrub_rest(req, self.text, KNOWN_REQUEST)
        if resp:
            _scrub_rest(resp, self.text, KNOWN_RESPONSE)

    def _param(self, p: dict[str, Any]) -> None:
        """A HAR query or form parameter, by the rules of `_pair`."""
        name, value = str(p.get("name", "")), p.get("value")
        if not name and not value:
            return
        kept_name, kept_value = self._pair(name, str(value) if value else "")
        if kept_value is None:
            p["name"] = kept_name
        elif value:
            p["value"] = kept_value

    def har(self, data: Any) -> dict[str, Any]:
        """Redact a whole HAR in place; raises NotAHar when its structure is not a HAR's."""
        har = _dict(data, "the file")
        log = _dict(har.get("log"), "log")
        entries = _list(log.get("entries"), "log.entries")
        for n, entry in enumerate(entries, 1):
            self.entry(entry, f"entry {n}")
        for key, value in list(log.items()):
            if key not in ("entries", "version", "creator", "browser", "pages"):
                log[key] = _scrub_any(value, self.text)
        return har


KNOWN_ENTRY = frozenset(
    {
        "request",
        "response",
        "startedDateTime",
        "time",
        "timings",
        "cache",
        "serverIPAddress",
        "connection",
        "pageref",
        "_webSocketMessages",
    }
)
KNOWN_REQUEST = frozenset(
    {
        "method",
        "url",
        "httpVersion",
        "headers",
        "cookies",
        "queryString",
        "postData",
        "headersSize",
        "bodySize",
    }
)
KNOWN_RESPONSE = frozenset(
    {
        "status",
        "statusText",
        "httpVersion",
        "headers",
        "cookies",
        "content",
        "redirectURL",
        "headersSize",
        "bodySize",
    }
)


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotAHar(f"{where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise NotAHar(f"{where} is not a list")
    return value


def _scrub_any(node: Any, scrub: Callable[[str], str], depth: int = 0) -> Any:
    """Every string in a structure scrubbed (fields no rule knows: comments, tools' extras)."""
    if depth > MAX_DEPTH:
        return TOO_DEEP
    if isinstance(node, str):
        return scrub(node)
    if isinstance(node, dict):
        return {k: _scrub_any(v, scrub, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_scrub_any(v, scrub, depth + 1) for v in node]
    return node


def _scrub_rest(obj: dict[str, Any], scrub: Callable[[str], str], known: frozenset[str]) -> None:
    for key in list(obj):
        if key not in known:
            obj[key] = _scrub_any(obj[key], scrub)


def redact_url(url: str) -> str:
    """A URL with its secrets gone."""
    if len(url) <= 512:
        return _redact_short_url(url)
    return Redactor().url(url)


@functools.lru_cache(maxsize=1024)
def _redact_short_url(url: str) -> str:
    """Clients ask the same URLs again and again (the /v2/ check, token endpoints)."""
    return Redactor().url(url)


def scrub(text: str) -> str:
    """Free text with every secret acrproxy can recognise in it gone."""
    if len(text) <= 512:
        return _scrub_short(text)
    return Redactor().text(text)


@functools.lru_cache(maxsize=8192)
def _scrub_short(text: str) -> str:
    """Short strings repeat (hosts, paths, details): scrub each once."""
    return Redactor().text(text)


def scrub_tree(node: Any) -> Any:
    """Every string in a JSON-like structure scrubbed (the last net before any output)."""
    return _scrub_any(node, scrub)
