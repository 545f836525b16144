"""`acrproxy decode` and `acrproxy analyze` as a user calls them."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from acrproxy.cli import main
from tests import tokens_data as T

README_CHALLENGE = (
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
    'scope="repository:library/ubuntu:pull"'
)


def run_json(capsys, *args: str) -> tuple[int, dict]:
    rc = main(["decode", "--json", *args])
    return rc, json.loads(capsys.readouterr().out)


def test_challenge_json_shape(capsys) -> None:
    rc, out = run_json(capsys, README_CHALLENGE)
    assert rc == 0 and out["kind"] == "challenge"
    (c,) = out["challenges"]
    assert c["scheme"] == "Bearer" and c["params"]["service"] == "registry.docker.io"
    assert c["scopes"] == [{"type": "repository", "name": "library/ubuntu", "actions": ["pull"]}]


def test_scope_json_shape(capsys) -> None:
    rc, out = run_json(capsys, "repository:localhost:5000/foo:pull,push")
    assert out == {
        "kind": "scope",
        "scopes": [
            {"type": "repository", "name": "localhost:5000/foo", "actions": ["pull", "push"]}
        ],
    }


@pytest.mark.parametrize("value", [T.DOCKER_HUB, f"Bearer {T.DOCKER_HUB}"])
def test_jwt_json_shape(capsys, value: str) -> None:
    rc, out = run_json(capsys, value)
    assert out["kind"] == "jwt" and out["verified"] is False
    assert out["header"]["alg"] == "HS256" and out["claims"]["iss"] == "auth.docker.io"
    assert out["access"][0]["type"] == "repository" and out["access"][0]["actions"] == ["pull"]


def test_opaque_and_basic(capsys) -> None:
    rc, out = run_json(capsys, f"Bearer {T.GHCR_ANON}")
    assert out["kind"] == "opaque"
    rc, out = run_json(capsys, "Basic " + base64.b64encode(b"alice:hunter2-secret").decode())
    assert out["kind"] == "basic" and out["username"] == "alice"
    assert "hunter2" not in json.dumps(out)


def test_token_response(capsys) -> None:
    rc, out = run_json(capsys, json.dumps({"refresh_token": T.ACR_REFRESH}))
    assert out["kind"] == "token_response" and out["refresh_token"]["claims"]["tenant"] == "t-1"


@pytest.mark.parametrize("bad", ["hello", "eyJhbGciOiJIUzI1NiJ9.garbage.x", "{nope", "\x00"])
def test_bad_input_exit_2(capsys, bad: str) -> None:
    rc, out = run_json(capsys, bad)
    assert rc == 2 and out["kind"] == "error" and out["message"]
    rc = main(["decode", bad])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_text_output_labels_unverified_and_reads_stdin() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "decode", "-"],
        input=T.ACR_ACCESS,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "unverified" in r.stdout and "ACR access token" in r.stdout
    assert T.ACR_ACCESS.rsplit(".", 1)[1] not in r.stdout


def test_analyze_unreadable_file_names_it(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "broken.har"
    bad.write_text('{"log": {"entries": [{"request": 5}]}}')
    assert main(["analyze", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.har" in err and "entry" in err
    assert main(["analyze", str(tmp_path / "missing.har")]) == 2
