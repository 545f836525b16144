"""A small registry client that speaks the distribution API and the token spec over a proxy.

What `acrproxy demo` drives through the proxy: it pulls (challenge, token, manifest, blobs,
following the storage redirect), pushes, and can misbehave on purpose (send its token along
a redirect, as `curl --location-trusted` does) so a learner can see what that looks like.
It goes through the proxy for every host, loopback addresses included (Go clients do not).
"""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin

from acrproxy.challenge import parse_www_authenticate

ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the client follows redirects itself, deciding what to send along


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class RegistryClient:
    registry: str
    """`https://host:port`."""
    proxy: str
    """`http://127.0.0.1:PORT`, or "" to go direct."""
    ca_file: str
    """The CA the client trusts: the proxy's (or, direct, the registry's)."""
    username: str | None = None
    password: str | None = None
    leak_on_redirect: bool = False
    log: list[str] = field(default_factory=list)
    _token: str | None = None

    def _open(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        ctx = ssl.create_default_context(cafile=self.ca_file)
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler(
                {"http": self.proxy, "https": self.proxy} if self.proxy else {}
            ),
            urllib.request.HTTPSHandler(context=ctx),
            _NoRedirect(),
        )
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with opener.open(req, timeout=60) as r:
                resp = Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            resp = Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())
        self.log.append(f"{method} {url.split('?')[0]} -> {resp.status}")
        return resp

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def _basic(self) -> dict[str, str]:
        if self.username is None:
            return {}
        raw = f"{self.username}:{self.password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def _get_token(self, challenge: str) -> None:
        bearer = next(c for c in parse_www_authenticate(challenge) if c.is_bearer)
        query = {"service": bearer.service or ""}
        scope = bearer.params.get("scope")
        if scope:
            query["scope"] = scope
        if self.username:
            query["account"] = self.username
        resp = self._open("GET", f"{bearer.realm}?{urlencode(query)}", self._basic(), None)
        if resp.status == 200:
            self._token = json.loads(resp.body).get("token")

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        """A registry request: on 401, fetch a token for the challenge's scope and retry once."""
        url = urljoin(self.registry, path)
        resp = self._open(method, url, {**(headers or {}), **self._auth()}, body)
        if resp.status == 401 and "www-authenticate" in resp.headers:
            self._get_token(resp.headers["www-authenticate"])
            resp = self._open(method, url, {**(headers or {}), **self._auth()}, body)
        if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
            target = urljoin(url, resp.headers["location"])
            carried = self._auth() if self.leak_on_redirect else {}
            resp = self._open("GET", target, carried, None)
        return resp

    def pull(self, repository: str, reference: str) -> list[Response]:
        """Manifest (an index leads to its first platform), then every layer."""
        path = f"/v2/{repository}/manifests/{reference}"
        out = [self.request("GET", path, {"Accept": ACCEPT})]
        manifest: Any = json.loads(out[0].body) if out[0].status == 200 else {}
        if isinstance(manifest.get("manifests"), list) and manifest["manifests"]:
            digest = manifest["manifests"][0]["digest"]
            out.append(
                self.request("GET", f"/v2/{repository}/manifests/{digest}", {"Accept": ACCEPT})
            )
            manifest = json.loads(out[-1].body) if out[-1].status == 200 else {}
        for layer in manifest.get("layers", []):
            out.append(self.request("GET", f"/v2/{repository}/blobs/{layer['digest']}"))
        return out

    def push_blob(self, repository: str, data: bytes) -> Response:
        """A monolithic upload: POST a session, then PUT the bytes with their digest."""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        start = self.request("POST", f"/v2/{repository}/blobs/uploads/")
        if start.status != 202:
            return start
        location = start.headers.get("location", "")
        sep = "&" if "?" in location else "?"
        return self.request(
            "PUT",
            f"{location}{sep}digest={digest}",
            {"Content-Type": "application/octet-stream"},
            data,
        )

    def push(self, repository: str, tag: str, layer: bytes) -> list[Response]:
        """Push a one-layer image: its layer, its config, its manifest."""
        config = json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "rootfs": {
                    "type": "layers",
                    "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()],
                },
            }
        ).encode()
        out = [self.push_blob(repository, layer)]
        if out[0].status != 201:
            return out
        out.append(self.push_blob(repository, config))
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
                    "size": len(config),
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": "sha256:" + hashlib.sha256(layer).hexdigest(),
                        "size": len(layer),
                    }
                ],
            }
        ).encode()
        out.append(
            self.request(
                "PUT",
                f"/v2/{repository}/manifests/{tag}",
                {"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
                manifest,
            )
        )
        return out
