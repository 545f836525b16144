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


# -- every bad input or path: one line on stderr, exit 2, nothing the user gave is lost ---------
def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def small_har(tmp_path: Path, **entry_changes) -> Path:
    entry = {
        "startedDateTime": "2026-11-27T10:00:00.000Z",
        "time": 1,
        "request": {"method": "GET", "url": "https://r.test/v2/", "headers": []},
        "response": {"status": 200, "headers": [], "content": {"size": 0, "mimeType": ""}},
    }
    entry.update(entry_changes)
    p = tmp_path / "in.har"
    p.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    return p


@pytest.mark.parametrize("target", ["dir", "missing/x.har", "/dev/full"])
def test_redact_bad_output_paths(tmp_path: Path, capsys, target: str) -> None:
    src = small_har(tmp_path)
    out = {"dir": str(tmp_path), "missing/x.har": str(tmp_path / "missing" / "x.har")}.get(
        target, target
    )
    assert main(["redact", str(src), "-o", out]) == 2
    one_line_error(capsys)


def test_redact_in_place_never_loses_the_input_when_the_write_fails(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    import os

    src = small_har(tmp_path)
    before = src.read_text()

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert main(["redact", str(src), "-o", str(src)]) == 2
    assert "No space left" in one_line_error(capsys)
    assert src.read_text() == before


@pytest.mark.parametrize(
    "content",
    [
        '{"log": {"entries": {}}}',
        '{"log": {"entries": [{"request": {"url": "u", "headers": "x"}}]}}',
        "[1, 2]",
        "not json",
        "\x00\xff",
    ],
)
def test_redact_refuses_what_is_not_a_har(tmp_path: Path, capsys, content: str) -> None:
    p = tmp_path / "x.har"
    p.write_text(content, encoding="latin-1")
    assert main(["redact", str(p), "-o", str(tmp_path / "o.har")]) == 2
    assert "not a HAR" in one_line_error(capsys)
    assert not (tmp_path / "o.har").exists()


def test_redact_deeply_nested_json(tmp_path: Path, capsys) -> None:
    src = small_har(tmp_path, comment=json.loads("[" * 900 + "]" * 900))
    assert main(["redact", str(src), "-o", str(tmp_path / "o.har")]) == 0
    assert "redacted:too-deep" in (tmp_path / "o.har").read_text()


@pytest.mark.parametrize(
    "changes",
    [
        {"request": {"method": "GET", "url": "https://r.test/", "headers": "x"}},
        {"request": {"method": "GET", "url": "https://[::1/v2/", "headers": []}},
        {"response": "nope"},
        {"startedDateTime": 5},
    ],
)
def test_analyze_refuses_malformed_entries(tmp_path: Path, capsys, changes: dict) -> None:
    assert main(["analyze", str(small_har(tmp_path, **changes))]) == 2
    err = one_line_error(capsys)
    assert "not a HAR: entry 1" in err


def test_analyze_reads_pipes_and_stdin(tmp_path: Path) -> None:
    src = small_har(tmp_path)
    r = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m acrproxy analyze --format json <(cat "{src}")'],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["requests"] == 1, r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "acrproxy", "analyze", "--format", "json", "-"],
        input=src.read_text(),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["requests"] == 1, r.stderr


def test_analyze_output_file_is_private(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["analyze", "--format", "json", "-o", str(out), str(small_har(tmp_path))]) == 0
    assert out.stat().st_mode & 0o777 == 0o600 and json.loads(out.read_text())["requests"] == 1


def test_non_utf8_header_bytes_in_a_flow_file(tmp_path: Path) -> None:
    from mitmproxy.io import FlowWriter

    from tests.flows import flow

    f = flow("https://r.test/v2/", status=401)
    f.response.headers.fields = ((b"WWW-Authenticate", b'Bearer realm="https://a/t\xe9"'),)
    path = tmp_path / "flows.mitm"
    with open(path, "wb") as fh:
        FlowWriter(fh).add(f)
    for fmt in ("json", "text"):
        r = subprocess.run(
            [sys.executable, "-m", "acrproxy", "analyze", "--format", fmt, str(path)],
            capture_output=True,
            text=True,
        )
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    report = json.loads(
        subprocess.run(
            [sys.executable, "-m", "acrproxy", "analyze", "--format", "json", str(path)],
            capture_output=True,
            text=True,
        ).stdout
    )
    assert report["auth_flows"][0]["challenge"]["challenges"][0]["params"]["realm"].endswith(
        "\ufffd"
    )


def test_decode_errors_never_echo_the_value(capsys) -> None:
    for bad in [
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIi.SECRETSIGxyz",
        "Basic !!SECRETxyz!!",
        "Bearer realm=x s3cr3tvalue junk",
    ]:
        assert main(["decode", bad]) == 2
        err = one_line_error(capsys)
        assert "SECRET" not in err and "s3cr3t" not in err


@pytest.mark.parametrize(
    "args,words",
    [
        (["run", "--listen-port", "99999"], "not a TCP port"),
        (["run", "--listen-port", "http"], "not a TCP port"),
        (["run", "--confdir", "/etc/hostname"], "not a folder"),
        (["run", "--report", "/nonexistent/r.json"], "does not exist"),
        (["run", "--har", "/tmp"], "is a directory"),
        (["analyze"], "required"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_run_and_usage_errors_are_one_line(capsys, args: list[str], words: str) -> None:
    try:
        rc = main(args)
    except SystemExit as e:
        rc = e.code
    assert rc == 2
    assert words in one_line_error(capsys)


@pytest.mark.parametrize(
    "listen_host,modes,exposed",
    [
        ("127.0.0.1", [], []),
        ("::1", ["regular"], []),
        ("0.0.0.0", [], ["0.0.0.0"]),
        ("127.0.0.1", ["regular@0.0.0.0:8081"], ["0.0.0.0"]),
        ("", [], [""]),
        ("127.0.0.1", ["regular@192.0.2.1:9"], ["192.0.2.1"]),
    ],
)
def test_every_way_of_setting_the_listen_address_is_seen(listen_host, modes, exposed) -> None:
    from acrproxy.cli import is_loopback, listen_hosts

    hosts = listen_hosts(listen_host, modes)
    assert [h for h in hosts if not is_loopback(h)] == exposed
