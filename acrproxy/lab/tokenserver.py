"""A token server that follows the distribution token spec (GET and OAuth2 POST).

Users and their rights are a table; a token grants the intersection of what was asked and what
the account may do (an empty `actions` list is "denied"), signed RS256 with `x5c` and `kid`.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import jwt

from acrproxy.lab.tlsserver import TlsServer

# user -> (password, {repository glob: actions})
USERS: dict[str, tuple[str, dict[str, set[str]]]] = {
    "alice": ("alice-password-1", {"*": {"pull", "push", "delete"}}),
    "bob": ("bob-password-2", {"*": {"pull"}}),
    "carol": ("carol-password-3", {"*": {"pull"}}),
}
LATE = {"carol"}
"""Accounts whose tokens are issued already expired (as from a token server whose clock is
behind): the registry refuses them, and acrproxy shows TOKEN_EXPIRED."""
ANONYMOUS: dict[str, set[str]] = {"public/*": {"pull"}}


def _allowed(rights: dict[str, set[str]], name: str) -> set[str]:
    out: set[str] = set()
    for pattern, actions in rights.items():
        if (
            pattern == "*"
            or (pattern.endswith("/*") and name.startswith(pattern[:-1]))
            or pattern == name
        ):
            out |= actions
    return out


class TokenServer(TlsServer):
    def __init__(
        self,
        host: str,
        port: int,
        cert: str,
        key: str,
        signing_key_pem: bytes,
        signing_cert_der: bytes,
        kid: str,
        service: str,
        issuer: str,
        lifetime: int = 300,
    ) -> None:
        self.service, self.issuer, self.lifetime = service, issuer, lifetime
        self.signing_key_pem, self.kid = signing_key_pem, kid
        self.x5c = [base64.b64encode(signing_cert_der).decode()]
        self.refresh: dict[str, str] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                q = parse_qs(urlsplit(self.path).query)
                server.requests.append(f"GET {self.path}")
                user = self._basic()
                if user is False or user is True:
                    return self._send(401, {"details": "invalid username or password"})
                self._issue(user, q.get("scope", []), q.get("offline_token", [""])[0] == "true")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                server.requests.append(f"POST {self.path}")
                grant = form.get("grant_type", [""])[0]
                user: str | None | bool
                if grant == "password":
                    name, pw = form.get("username", [""])[0], form.get("password", [""])[0]
                    user = name if USERS.get(name, ("",))[0] == pw and name else False
                elif grant == "refresh_token":
                    user = server.refresh.get(form.get("refresh_token", [""])[0], False)
                else:
                    return self._send(400, {"error": "unsupported_grant_type"})
                if user is False or user is True:
                    return self._send(401, {"error": "invalid_grant"})
                scopes = " ".join(form.get("scope", [])).split()
                self._issue(user, scopes, form.get("access_type", [""])[0] == "offline", oauth=True)

            def _basic(self) -> str | None | bool:
                auth = self.headers.get("Authorization")
                if not auth:
                    return None
                try:
                    name, pw = base64.b64decode(auth.split(" ", 1)[1]).decode().split(":", 1)
                except Exception:
                    return False
                return name if name in USERS and USERS[name][0] == pw else False

            def _issue(
                self, user: str | None, scopes: list[str], offline: bool, oauth: bool = False
            ) -> None:
                rights = USERS[user][1] if user else ANONYMOUS
                access = []
                for scope in " ".join(scopes).split():
                    kind, rest = scope.split(":", 1)
                    name, _, actions = rest.rpartition(":")
                    allowed = _allowed(rights, name) if kind == "repository" else set()
                    if kind == "registry" and name == "catalog" and user == "alice":
                        allowed = {"*"}  # alice may list the catalog
                    access.append(
                        {
                            "type": kind,
                            "name": name,
                            "actions": [a for a in actions.split(",") if a in allowed],
                        }
                    )
                now = int(time.time()) - (600 if user in LATE else 0)
                claims = {
                    "iss": server.issuer,
                    "sub": user or "",
                    "aud": server.service,
                    "exp": now + server.lifetime,
                    "nbf": now - 10,
                    "iat": now,
                    "jti": secrets.token_hex(8),
                    "access": access,
                }
                token = jwt.encode(
                    claims,
                    server.signing_key_pem,
                    algorithm="RS256",
                    headers={"x5c": server.x5c, "kid": server.kid},
                )
                body: dict[str, object] = {
                    "token": token,
                    "access_token": token,
                    "expires_in": server.lifetime,
                    "issued_at": datetime.datetime.fromtimestamp(now, datetime.UTC)
                    .isoformat()
                    .replace("+00:00", "Z"),
                }
                if oauth:
                    body["scope"] = " ".join(
                        f"{a['type']}:{a['name']}:{','.join(a['actions'])}" for a in access
                    )
                if offline and user:
                    rt = secrets.token_urlsafe(24)
                    server.refresh[rt] = user
                    body["refresh_token"] = rt
                self._send(200, body)

            def _send(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(host, port, Handler, cert, key)
