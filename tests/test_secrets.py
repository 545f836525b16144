"""No seeded secret survives any output: live view, --har, --report, analyze text and JSON,
redact, decode; and the findings of a redacted capture are those of the raw one.

Each secret sits in one of the places where registry traffic carries credentials (and where
earlier versions leaked them): finding details, URL userinfo, nested JWTs, bodies redaction
cannot parse, headers and JSON keys no list named, fragments, comments, WebSocket messages.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import time
from pathlib import Path

import jwt
import pytest
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import taddons
from rich.console import Console

from acrproxy.addons.analyzer import Analyzer
from acrproxy.addons.harwriter import HarWriter
from acrproxy.addons.liveview import LiveView
from acrproxy.addons.streamer import Streamer
from acrproxy.cli import main
from acrproxy.output.terminal import console
from tests.flows import flow

NOW = int(time.time())
REG, AUTH = "https://reg.example.test", "https://auth.example.test/token"
BLOB = f"{REG}/v2/team/app/blobs/sha256:{'a' * 64}"
P = [f"seed{i:02d}Zq{i}xK" for i in range(40)]  # plain secrets


def sign(claims: dict, n: int) -> str:
    base = {"iss": "issuer", "aud": "reg.example.test", "sub": "bob", "exp": NOW + 300}
    return jwt.encode({**base, **claims}, f"key-{n}-" + "k" * 32, algorithm="HS256")


ACCESS = [{"type": "repository", "name": "team/app", "actions": ["pull"]}]
J = [sign({"access": ACCESS, "jti": str(i)}, i) for i in range(8)]
EXPIRED = sign({"access": ACCESS, "exp": NOW - 3600, "jti": "old"}, 20)
INNER = sign({"sub": "inner"}, 21)
DEEP_INNER = sign({"sub": "deep"}, 22)
NESTED = sign({"user": INNER, "ctx": {"list": [DEEP_INNER]}, "access": ACCESS}, 23)
JWTS = [*J, EXPIRED, INNER, DEEP_INNER, NESTED]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def registry_auth() -> str:
    data = {"username": "bob", "password": P[30], "identitytoken": P[31], "serveraddress": REG}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def multipart() -> bytes:
    return (
        b'--xyz\r\nContent-Disposition: form-data; name="username"\r\n\r\nbob\r\n'
        b'--xyz\r\nContent-Disposition: form-data; name="password"\r\n\r\n'
        + P[28].encode()
        + b"\r\n--xyz--\r\n"
    )


def seeded_flows() -> list:
    t = time.time()
    form = "application/x-www-form-urlencoded"
    return [
        flow(
            f"{REG}/v2/",
            status=401,
            at=t,
            resp_headers={
                "WWW-Authenticate": f'Bearer realm="{AUTH}",service="reg.example.test",'
                'scope="repository:team/app:pull"'
            },
        ),
        flow(
            f"{AUTH}?service=reg.example.test&scope=repository:team/app:pull&account=bob",
            req_headers={"Authorization": "Basic " + b64(f"bob:{P[0]}")},
            at=t + 1,
            body=json.dumps(
                {"token": J[0], "access_token": J[0], "refresh_token": P[1], "id_token": J[1]}
            ),
        ),
        flow(
            f"{REG}/v2/team/app/manifests/v1",
            req_headers={
                "authorization": f"Bearer {J[0]}",
                "Cookie": f"s={P[2]}; t={P[3]}",
                "X-Registry-Auth": registry_auth(),
                "X-Custom-Thing": P[4],
                "X-Amz-Security-Token": P[5],
                "x-ms-copy-source-authorization": f"Bearer {P[6]}",
                "x-ms-encryption-key": P[7],
            },
            resp_headers={"Set-Cookie": f"sess={P[8]}; Path=/; HttpOnly", "X-Debug": J[2]},
            at=t + 2,
        ),
        flow(  # the FAQ's leak: a signed storage URL, with the registry's token on it
            BLOB,
            status=307,
            at=t + 3,
            req_headers={"Authorization": f"Bearer {J[0]}"},
            resp_headers={
                "Location": f"https://u:{P[9]}@acct.blob.core.windows.net/c/d"
                f"?se=2030-01-01&sp=r&sig={P[10]}"
            },
        ),
        flow(
            f"https://u:{P[9]}@acct.blob.core.windows.net/c/d?se=2030-01-01&sp=r&sig={P[10]}",
            status=400,
            at=t + 4,
            req_headers={"Authorization": f"Bearer {EXPIRED}"},
            body=b"<Error><Code>InvalidAuthenticationInfo</Code></Error>",
        ),
        flow(  # refused, with a token in the query: INSUFFICIENT_SCOPE's detail
            f"{REG}/v2/team/app/manifests/v2?access_token={P[11]}&t={J[3]}#access_token={P[12]}",
            method="PUT",
            status=403,
            at=t + 5,
            req_headers={"Authorization": f"Bearer {J[0]}"},
            body=b'{"errors":[{"code":"DENIED","message":"requested access is denied"}]}',
        ),
        flow(
            "https://s3.example-aws.test/b?X-Amz-Signature="
            + P[13]
            + "&X-Amz-Credential="
            + P[14]
            + "&X-Amz-Security-Token="
            + P[15]
            + "&X-Goog-Signature="
            + P[16]
            + "&X-Goog-Credential="
            + P[17]
            + "&X-Amz-Date=20260101T000000Z",
            at=t + 6,
            req_headers={"Proxy-Authorization": "basic " + b64(f"AWS:{P[18]}")},
        ),
        flow(
            "https://c.azurecr.io/oauth2/exchange",
            method="POST",
            at=t + 7,
            req_headers={"Content-Type": form},
            req_body=f"grant_type=access_token&service=c.azurecr.io&access_token={J[4]}".encode(),
            body=json.dumps({"refresh_token": J[5]}),
        ),
        flow(
            "https://c.azurecr.io/oauth2/token",
            method="POST",
            at=t + 8,
            req_headers={"Content-Type": form, "Content-Encoding": "gzip"},
            req_body=gzip.compress(
                f"grant_type=refresh_token&refresh_token={J[6]}&password={P[19]}"
                "&scope=repository:a:pull".encode()
            ),
            body=json.dumps({"access_token": P[20]}),
        ),
        flow(
            "http://plain.example.test/v2/",
            req_headers={"Authorization": f"Bearer {P[21]}"},
            at=t + 9,
            body=json.dumps(
                {
                    "nested": {"token": P[22]},
                    "note": J[7],
                    "IdentityToken": P[23],
                    "accessToken": P[24],
                    "authorizationToken": P[25],
                    "cred": {"token": [P[26]]},
                }
            ),
        ),
        flow(f"{REG}/v2/x/manifests/a", at=t + 10, body="\ufeff" + json.dumps({"token": P[27]})),
        flow(
            "https://login.example.test/form",
            method="POST",
            at=t + 11,
            req_headers={"Content-Type": "multipart/form-data; boundary=xyz"},
            req_body=multipart(),
        ),
        flow(f"{REG}/v2/x/manifests/b", at=t + 12, body=b'{"token": "' + P[29].encode() + b'",}'),
        flow(
            f"{REG}/v2/x/manifests/c",
            at=t + 13,
            resp_headers={"Content-Type": "application/json; charset=latin-1"},
            body=b'{"token": "' + P[32].encode() + b'", "n": "\xe9"}',
        ),
        flow(
            f"{REG}/v2/x/manifests/d", at=t + 14, req_headers={"Authorization": f"Bearer {NESTED}"}
        ),
    ]


def extras(har: dict) -> dict:
    """What other tools put in a HAR: comments, WebSocket messages, fields of their own."""
    entries = har["log"]["entries"]
    entries[0]["comment"] = f"copied token {J[0]} and password={P[33]}"
    entries[1]["_webSocketMessages"] = [
        {"type": "send", "time": 1.0, "opcode": 1, "data": f'{{"auth": "{P[34]}"}}'}
    ]
    entries[2]["_initiator"] = {"url": f"https://x.test/a?secret={P[35]}"}
    entries[2]["response"]["_transferSize"] = 5
    har["log"]["comment"] = f"Bearer {P[36]}"
    return har


def secrets() -> list[str]:
    return P[:37] + [j.rsplit(".", 1)[1] for j in JWTS]


def visible(text: str) -> list[str]:
    """Seeded secrets found in text, also inside base64 (Basic credentials, X-Registry-Auth)."""
    found = [s for s in secrets() if s in text]
    for run in re.findall(r"[A-Za-z0-9+/_-]{16,}={0,2}", text):
        try:
            decoded = base64.urlsafe_b64decode(run + "=" * (-len(run) % 4)).decode("utf-8")
        except ValueError:
            continue
        found += [s for s in secrets() if s in decoded]
    return sorted(set(found))


def test_enough_distinct_secrets_in_the_raw_capture() -> None:
    raw = json.dumps(extras(SaveHar().make_har(seeded_flows())))
    assert len(set(secrets())) >= 40
    missing = [s for s in secrets() if s not in visible(raw)]
    assert missing == [P[19], J[6].rsplit(".", 1)[1]]  # both inside the gzip-encoded form


def live_capture(tmp_path: Path) -> tuple[str, str, str]:
    har, report = tmp_path / "live.har", tmp_path / "report.json"
    buf = io.StringIO()
    addons = [Streamer(), Analyzer(), HarWriter(), LiveView(console(buf, width=200))]
    s, a, w, v = addons
    with taddons.context(*addons) as tctx:
        tctx.configure(w, acrproxy_har=str(har))
        tctx.configure(a, acrproxy_report=str(report))
        for f in seeded_flows():
            for addon in addons:  # the writer and the view get it from the analyzer
                getattr(addon, "response", lambda f: None)(f)
        for addon in addons:
            getattr(addon, "done", lambda: None)()
    return har.read_text(), report.read_text(), buf.getvalue()


def test_live_view_har_and_report_keep_no_secret(tmp_path: Path) -> None:
    har, report, view = live_capture(tmp_path)
    for name, text in (("har", har), ("report", report), ("view", view)):
        assert visible(text) == [], name
    codes = {f["code"] for f in json.loads(report)["findings"]}
    assert {
        "CREDENTIAL_LEAK_ON_REDIRECT",
        "TOKEN_EXPIRED",
        "INSUFFICIENT_SCOPE",
        "STORAGE_AUTH_ERROR",
        "CREDENTIAL_OVER_PLAINTEXT",
    } <= codes
    assert "TOKEN_EXPIRED" in view and "redacted:sha256:" in har


def test_redact_and_analyze_keep_no_secret_and_the_same_findings(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "raw.har"
    raw.write_text(json.dumps(extras(SaveHar().make_har(seeded_flows()))))
    red = tmp_path / "red.har"
    assert main(["redact", str(raw), "-o", str(red)]) == 0
    assert visible(red.read_text()) == []
    outputs = {}
    for name, path in (("raw", raw), ("red", red)):
        for fmt in ("json", "text"):
            capsys.readouterr()
            main(["analyze", "--format", fmt, str(path)])
            outputs[name, fmt] = capsys.readouterr().out
    for key, text in outputs.items():
        assert visible(text) == [], key
    raw_report, red_report = json.loads(outputs["raw", "json"]), json.loads(outputs["red", "json"])
    assert sorted(f["code"] for f in red_report["findings"]) == sorted(
        f["code"] for f in raw_report["findings"]
    )
    assert len(red_report["auth_flows"]) == len(raw_report["auth_flows"]) >= 1


@pytest.mark.parametrize(
    "value",
    [
        NESTED,
        f"Bearer {NESTED}",
        "Basic " + b64(f"bob:{P[0]}"),
        json.dumps({"token": J[0], "refresh_token": P[1]}),
        f'Bearer realm="https://u:{P[9]}@a.test/t?sig={P[10]}"',
    ],
)
def test_decode_keeps_no_secret(value: str, capsys) -> None:
    for args in (["decode", "--json", value], ["decode", value]):
        main(args)
        out = capsys.readouterr()
        assert visible(out.out + out.err) == [], args


def test_terminal_console_scrubs_what_it_prints() -> None:
    buf = io.StringIO()
    console(buf).print(f"GET /x?sig={P[10]} Authorization: Bearer {P[21]} {J[0]}")
    assert visible(buf.getvalue()) == []
    assert Console  # the renderables themselves are tested in tests/output
