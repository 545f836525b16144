"""Redaction: seeded secrets never survive; a redacted HAR gives the findings of the raw one."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

import jwt
from mitmproxy.addons.savehar import SaveHar

from acrproxy.cli import main
from tests.flows import flow

NOW = int(time.time())
KEY = "k" * 32


def jwt_secret(n: int) -> str:
    return jwt.encode(
        {
            "iss": "issuer",
            "aud": "reg.example.test",
            "sub": f"u{n}",
            "exp": NOW + 300,
            "access": [{"type": "repository", "name": "team/app", "actions": ["pull"]}],
        },
        KEY + str(n),
        algorithm="HS256",
    )


JWTS = [jwt_secret(i) for i in range(6)]
PLAIN = [f"seeded-secret-{i:02d}-Xy7Qw{i}" for i in range(16)]


def seeded_flows():
    reg, auth = "https://reg.example.test", "https://auth.example.test/token"
    t = time.time()
    basic = "Basic " + base64.b64encode(f"bob:{PLAIN[0]}".encode()).decode()
    ecr = "basic " + base64.b64encode(f"AWS:{PLAIN[1]}".encode()).decode()
    return [
        flow(
            f"{reg}/v2/",
            status=401,
            at=t,
            resp_headers={
                "WWW-Authenticate": f'Bearer realm="{auth}",service="reg.example.test",'
                'scope="repository:team/app:pull"'
            },
        ),
        flow(
            f"{auth}?service=reg.example.test&scope=repository:team/app:pull&account=bob",
            req_headers={"Authorization": basic},
            at=t + 1,
            body=json.dumps(
                {
                    "token": JWTS[0],
                    "access_token": JWTS[0],
                    "refresh_token": PLAIN[2],
                    "id_token": JWTS[1],
                }
            ),
        ),
        flow(
            f"{reg}/v2/team/app/manifests/v1",
            req_headers={
                "authorization": f"Bearer {JWTS[0]}",
                "Cookie": f"s={PLAIN[3]}; t={PLAIN[4]}",
            },
            resp_headers={"Set-Cookie": f"sess={PLAIN[5]}; Path=/; HttpOnly"},
            at=t + 2,
        ),
        flow(
            f"{reg}/v2/team/app/blobs/sha256:{'a' * 64}",
            status=307,
            at=t + 3,
            req_headers={"Authorization": f"Bearer {JWTS[0]}"},
            resp_headers={
                "Location": f"https://acct.blob.core.windows.net/c/d?se=1&sig={PLAIN[6]}"
            },
        ),
        flow(
            f"https://acct.blob.core.windows.net/c/d?se=1&sig={PLAIN[6]}",
            status=400,
            at=t + 4,
            req_headers={"Authorization": f"Bearer {JWTS[0]}"},
            body=b"<Error><Code>InvalidAuthenticationInfo</Code></Error>",
        ),
        flow(
            "https://s3.example-aws.test/b?X-Amz-Signature="
            + PLAIN[7]
            + "&X-Amz-Credential="
            + PLAIN[8]
            + "&X-Amz-Security-Token="
            + PLAIN[9]
            + "&X-Goog-Signature="
            + PLAIN[10]
            + "&X-Goog-Credential="
            + PLAIN[11],
            at=t + 5,
            req_headers={"Proxy-Authorization": ecr},
        ),
        flow(
            "https://c.azurecr.io/oauth2/exchange",
            method="POST",
            at=t + 6,
            req_headers={"Content-Type": "application/x-www-form-urlencoded"},
            req_body=f"grant_type=access_token&service=c.azurecr.io&access_token={JWTS[2]}".encode(),
            body=json.dumps({"refresh_token": JWTS[3]}),
        ),
        flow(
            "https://c.azurecr.io/oauth2/token",
            method="POST",
            at=t + 7,
            req_headers={"Content-Type": "application/x-www-form-urlencoded"},
            req_body=f"grant_type=refresh_token&refresh_token={JWTS[3]}&password={PLAIN[12]}"
            f"&scope=repository:a:pull".encode(),
            body=json.dumps({"access_token": PLAIN[13]}),
        ),
        flow(
            "http://plain.example.test/v2/",
            req_headers={"Authorization": f"Bearer {PLAIN[14]}"},
            at=t + 8,
            body=json.dumps({"nested": {"token": PLAIN[15]}, "note": JWTS[4]}),
            resp_headers={"X-Debug": JWTS[5]},
        ),
    ]


def secrets() -> list[str]:
    """As they appear in a HAR: Basic credentials are base64 of user:password."""
    encoded = [
        base64.b64encode(f"bob:{PLAIN[0]}".encode()).decode(),
        base64.b64encode(f"AWS:{PLAIN[1]}".encode()).decode(),
    ]
    return encoded + PLAIN + [j.rsplit(".", 1)[1] for j in JWTS]


def visible(text: str) -> list[str]:
    """Secrets found in text, Basic credentials decoded."""
    found = [s for s in secrets() if s in text]
    for b64 in __import__("re").findall(r"[Bb]asic ([A-Za-z0-9+/=]{8,})", text):
        decoded = base64.b64decode(b64).decode("utf-8", "replace")
        found += [p for p in PLAIN if p in decoded]
    return found


def test_redact_removes_every_seeded_secret_and_keeps_findings(tmp_path: Path, capsys) -> None:
    assert len(secrets()) >= 20
    raw = tmp_path / "raw.har"
    raw.write_text(json.dumps(SaveHar().make_har(seeded_flows())))
    assert all(s in raw.read_text() for s in secrets()[:2] + secrets()[4:])  # the test can fail
    assert len(visible(raw.read_text())) >= 20
    out = tmp_path / "red.har"
    assert main(["redact", str(raw), "-o", str(out)]) == 0
    text = out.read_text()
    assert visible(text) == []
    assert "redacted:sha256:" in text and "bob" in text and "repository:team/app:pull" in text
    capsys.readouterr()
    main(["analyze", "--format", "json", str(raw)])
    raw_report = json.loads(capsys.readouterr().out)
    main(["analyze", "--format", "json", str(out)])
    red_out = capsys.readouterr().out
    red_report = json.loads(red_out)
    assert sorted(f["code"] for f in red_report["findings"]) == sorted(
        f["code"] for f in raw_report["findings"]
    )
    assert {"CREDENTIAL_LEAK_ON_REDIRECT", "STORAGE_AUTH_ERROR", "CREDENTIAL_OVER_PLAINTEXT"} <= {
        f["code"] for f in red_report["findings"]
    }
    assert len(red_report["auth_flows"]) == len(raw_report["auth_flows"]) >= 1
    assert visible(red_out) == []


def test_analyze_text_output_never_shows_seeded_secrets(tmp_path: Path) -> None:
    raw = tmp_path / "raw.har"
    raw.write_text("\ufeff" + json.dumps(SaveHar().make_har(seeded_flows())))  # Fiddler's BOM
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", str(raw)], capture_output=True, text=True
    )
    assert r.returncode == 1 and "CREDENTIAL_LEAK_ON_REDIRECT" in r.stdout
    assert visible(r.stdout + r.stderr) == []


def test_redact_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "x.har"
    p.write_text("[1, 2]")
    assert main(["redact", str(p), "-o", str(tmp_path / "o.har")]) == 2


def test_live_har_export_keeps_none_of_the_seeded_secrets(tmp_path: Path) -> None:
    from tests.test_har import export

    text = export(tmp_path, seeded_flows()).read_text()
    assert visible(text) == []
    assert "redacted:sha256:" in text
