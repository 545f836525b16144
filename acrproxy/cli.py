"""The `acrproxy` command: run the proxy, decode values, analyse captures."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console

from acrproxy import __version__
from acrproxy.errors import ParseError
from acrproxy.redact import scrub

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (exit 2) instead of the usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port: {value!r} (1-65535)")
    return int(value)


def _proxy_arguments(run: argparse.ArgumentParser) -> None:
    """The options `run` and `web` share."""
    run.add_argument("--listen-host", default="127.0.0.1")
    run.add_argument("--listen-port", type=_port, default=8888)
    run.add_argument(
        "--confdir", help="where the proxy's CA lives (default: certs/ or ~/.acrproxy)"
    )
    run.add_argument(
        "--proxyauth",
        help="require proxy authentication: user:pass, @htpasswd, ... "
        "(made up and printed once when listening beyond 127.0.0.1/::1/localhost)",
    )
    run.add_argument(
        "--allow-client",
        action="append",
        default=[],
        metavar="CIDR",
        help="only these client addresses may connect (repeatable)",
    )
    run.add_argument("--report", help="write the JSON report (findings, auth flows) here on exit")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any mitmproxy option, e.g. ssl_verify_upstream_trusted_ca=ca.pem",
    )
    run.add_argument("--har", help="write a HAR file of the capture here, flow by flow (redacted)")
    run.add_argument(
        "--html", help="write the HTML report (story, diagrams, requests) here on exit"
    )
    run.add_argument(
        "--no-redact",
        action="store_true",
        help="write credentials into exports unredacted (never share such a file)",
    )
    run.add_argument("--quiet", action="store_true", help="no live view")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="acrproxy", description=__doc__)
    p.add_argument("--version", action="version", version=f"acrproxy {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the proxy (mitmproxy with acrproxy's addons)")
    _proxy_arguments(run)
    web = sub.add_parser("web", help="the proxy with mitmweb's web UI (both on 127.0.0.1)")
    _proxy_arguments(web)
    web.add_argument("--web-port", type=_port, default=8081, help="the web UI's port")

    cap = sub.add_parser(
        "capture",
        help="run one command through the proxy, for that process "
        "only: acrproxy capture [options] -- CMD [ARGS...]",
    )
    _proxy_arguments(cap)
    cap.set_defaults(listen_port=0)
    cap.add_argument("--view", help="write the live view here instead of stderr")
    cap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- then the command and its arguments")

    dec = sub.add_parser(
        "decode",
        help="decode a JWT, Authorization, WWW-Authenticate, scope or "
        "token-response value ('-' reads stdin)",
    )
    dec.add_argument("value")
    dec.add_argument("--json", action="store_true", help="machine-readable output")

    an = sub.add_parser("analyze", help="analyse HAR files (any tool) or mitmproxy flow files")
    an.add_argument("files", nargs="+")
    formats = ("text", "json", "explain", "markdown", "mermaid", "html")
    an.add_argument("--format", choices=formats, default="text")
    an.add_argument(
        "--slow",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="a phase longer than this is UPSTREAM_SLOW (default 10)",
    )
    an.add_argument("-o", "--output", help="write the report here (mode 0600) instead of stdout")
    ex = sub.add_parser(
        "explain", help="tell what a capture shows, in plain words (analyze --format explain)"
    )
    ex.add_argument("files", nargs="+")
    ex.add_argument("-o", "--output", help="write it here (mode 0600) instead of stdout")
    doc = sub.add_parser(
        "doctor",
        help="is this machine's proxy set-up consistent? (exit 1 with one fix line per problem)",
    )
    doc.add_argument("--root", default="/", help="look at a copy instead of this machine")
    doc.add_argument("--confdir", help="where acrproxy's CA and setup records live")
    doc.add_argument("--json", action="store_true", help="machine-readable output")
    st = sub.add_parser(
        "setup",
        help="send a daemon or client through the proxy (--apply) and "
        "back (--undo), byte for byte; --print (default) shows the diff",
    )
    st.add_argument("client", choices=("docker", "containerd", "podman", "skopeo", "curl"))
    what = st.add_mutually_exclusive_group()
    what.add_argument("--print", dest="action", action="store_const", const="print")
    what.add_argument("--apply", dest="action", action="store_const", const="apply")
    what.add_argument("--undo", dest="action", action="store_const", const="undo")
    st.add_argument("--root", default="/", help="prefix every path (try it on a copy)")
    st.add_argument("--proxy", default="http://127.0.0.1:8888", help="the proxy URL clients use")
    st.add_argument("--confdir", help="where the CA, the records and the backups live")
    st.add_argument(
        "--registry",
        help="the registry host, for per-registry CA files "
        "(containerd hosts.toml, /etc/containers/certs.d)",
    )
    st.add_argument("--docker-version", help="the Engine version (default: asked of docker)")
    st.add_argument(
        "--restart", action="store_true", help="restart the daemon when systemd runs it"
    )
    ch = sub.add_parser(
        "check-health",
        help="probe a registry step by step, up to its storage "
        "host (like az acr check-health, and more)",
    )
    ch.add_argument("registry", help="HOST[:PORT], https://HOST[:PORT], or an ACR name")
    ch.add_argument("--username", help="(or ACRPROXY_USERNAME)")
    ch.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (or ACRPROXY_PASSWORD)",
    )
    ch.add_argument(
        "--token-stdin",
        action="store_true",
        help="read an Entra ID (AAD) access "
        "token from stdin for ACR's exchange (or ACRPROXY_AAD_TOKEN)",
    )
    ch.add_argument("--repository", help="probe this repository's manifest and a blob")
    ch.add_argument("--reference", default="latest", help="tag or digest (default latest)")
    ch.add_argument(
        "--ca",
        help="a CA file to trust besides the system's (a private registry "
        "CA, or acrproxy's CA with --via-proxy)",
    )
    ch.add_argument(
        "--via-proxy",
        help="send the probe through a running acrproxy "
        "(http://127.0.0.1:8888), so it is in its trace too",
    )
    ch.add_argument("--environment", action="store_true", help="also check docker and helm")
    ch.add_argument(
        "--docker-pull",
        action="store_true",
        help="with --environment and --repository: pull it through the Docker daemon",
    )
    ch.add_argument("--timeout", type=float, default=15.0, help="seconds per step (default 15)")
    ch.add_argument("--json", action="store_true", help="machine-readable output")
    demo = sub.add_parser(
        "demo",
        help="a registry lab on this machine: scenarios through the "
        "proxy, told in words and as HTML (no account, no network)",
    )
    demo.add_argument("scenario", nargs="*", help="which (default: all); --list names them")
    demo.add_argument("--out", default="acrproxy-demo", help="where the reports go")
    demo.add_argument("--list", action="store_true", help="list the scenarios")
    red = sub.add_parser("redact", help="redact a HAR captured with any tool before sharing it")
    red.add_argument("input")
    red.add_argument("-o", "--output", required=True)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "decode":
        return cmd_decode(args.value, args.json)
    if args.command == "analyze":
        return cmd_analyze(args.files, args.format, args.output, args.slow)
    if args.command == "explain":
        return cmd_analyze(args.files, "explain", args.output)
    if args.command == "redact":
        return cmd_redact(args.input, args.output)
    if args.command == "demo":
        return cmd_demo(args.scenario, args.out, args.list)
    if args.command == "check-health":
        return cmd_check_health(args)
    if args.command == "capture":
        return cmd_capture(args)
    if args.command == "setup":
        return cmd_setup(args)
    if args.command == "doctor":
        return cmd_doctor(args)
    return cmd_run(args, web=args.command == "web")


def cmd_decode(value: str, as_json: bool) -> int:
    from acrproxy.decode import DecodeFailure, decode_value
    from acrproxy.output.jsonout import model_json
    from acrproxy.output.terminal import console, decoded_view

    if value == "-":
        value = sys.stdin.buffer.read().decode("utf-8", "replace")
    try:
        result = decode_value(value)
    except ParseError as e:
        message = scrub(str(e))  # a parser's message may quote the value
        if as_json:
            sys.stdout.write(model_json(DecodeFailure(message=message)))
        else:
            print(f"acrproxy decode: {message}", file=sys.stderr)
        return EXIT_USAGE
    if as_json:
        sys.stdout.write(model_json(result))
    else:
        console(sys.stdout).print(decoded_view(result))
    return EXIT_OK


def cmd_analyze(files: list[str], fmt: str, output: str | None, slow: float = 10.0) -> int:
    from acrproxy.analysis import Session
    from acrproxy.capture import read_exchanges
    from acrproxy.files import check_writable
    from acrproxy.output import Format, render, write_report
    from acrproxy.output.terminal import console, report_view

    if output and (why := check_writable(output)):
        print(f"acrproxy analyze: cannot write {output}: {why}", file=sys.stderr)
        return EXIT_USAGE
    if slow <= 0:
        print("acrproxy analyze: --slow must be positive", file=sys.stderr)
        return EXIT_USAGE
    session = Session(slow_after=slow)
    try:
        for path in files:
            for ex in read_exchanges(path):
                session.add(ex)
    except ParseError as e:
        print(f"acrproxy analyze: {e}", file=sys.stderr)
        return EXIT_USAGE
    report = session.report()
    form = Format(fmt)
    if output:
        try:
            write_report(report, output, form)
        except OSError as e:
            print(f"acrproxy analyze: cannot write {output}: {e.strerror or e}", file=sys.stderr)
            return EXIT_USAGE
    elif form is Format.TEXT and sys.stdout.isatty():
        console(sys.stdout).print(report_view(report))
    else:
        sys.stdout.write(render(report, form))
    return EXIT_FINDINGS if report.has_problems() else EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from rich.text import Text

    from acrproxy.certs import default_confdir
    from acrproxy.doctor import Doctor
    from acrproxy.output.jsonout import dumps
    from acrproxy.output.terminal import console

    root = Path(args.root)
    if not root.is_dir():
        print(f"acrproxy doctor: --root {args.root}: not a folder", file=sys.stderr)
        return EXIT_USAGE
    live = root.resolve() == Path("/")
    doctor = Doctor(
        root,
        Path(args.confdir or default_confdir()).expanduser(),
        os.path.expanduser("~") if live else "/root",
        dict(os.environ) if live else {},
        ask_docker=live,
    )
    report = doctor.run()
    if args.json:
        sys.stdout.write(dumps(report.model_dump(mode="json")))
    else:
        out = console(sys.stdout)
        for c in report.checks:
            out.print(
                Text(
                    f"{'ok     ' if c.ok else 'PROBLEM'} {c.name}: {c.detail}",
                    "green" if c.ok else "bold red",
                )
            )
            if c.fix:
                out.print(Text(f"        fix: {c.fix}"))
    return EXIT_OK if report.ok else EXIT_FINDINGS


def cmd_setup(args: argparse.Namespace) -> int:
    import subprocess

    from acrproxy.certs import ca_cert_path, default_confdir
    from acrproxy.clientsetup import PLANS, SetupError, Target, apply, diff, undo

    root = Path(args.root)
    if not root.is_dir():
        print(f"acrproxy setup: --root {args.root}: not a folder", file=sys.stderr)
        return EXIT_USAGE
    confdir = Path(args.confdir or default_confdir()).expanduser()
    ca = ca_cert_path(confdir)
    if not ca.exists():
        print(
            f"acrproxy setup: no CA in {confdir} yet: start `acrproxy run` once to make it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not args.proxy.startswith("http://"):
        print("acrproxy setup: --proxy: give http://HOST:PORT", file=sys.stderr)
        return EXIT_USAGE
    version = args.docker_version or (_docker_version() if args.client == "docker" else None)
    target = Target(root, confdir, args.proxy, ca, args.registry, version, os.path.expanduser("~"))
    live = root.resolve() == Path("/")

    def run(cmd: list[str]) -> int:
        if not live:
            print(f"acrproxy setup: not run under --root: {' '.join(cmd)}", file=sys.stderr)
            return 0
        try:
            return subprocess.run(cmd, check=False).returncode
        except FileNotFoundError:
            print(f"acrproxy setup: {cmd[0]} not found: run it by hand", file=sys.stderr)
            return 127

    try:
        if args.action == "undo":
            record = undo(target, args.client, run)
            print(f"acrproxy setup: {args.client} restored ({len(record.touched)} files)")
            restart = PLANS[args.client](target).restart if args.restart else []
        else:
            plan = PLANS[args.client](target)
            if args.action != "apply":
                sys.stdout.write(diff(plan))
                return EXIT_OK
            record = apply(target, plan, run)
            print(
                f"acrproxy setup: {args.client} set up ({len(record.touched)} files); undo with "
                f"`acrproxy setup {args.client} --undo`"
            )
            restart = plan.restart if args.restart else []
    except (SetupError, OSError) as e:
        print(f"acrproxy setup: {e}", file=sys.stderr)
        return EXIT_USAGE
    for cmd in restart:
        if live and Path("/run/systemd/system").is_dir():
            run(cmd)
        else:
            print(f"acrproxy setup: restart it yourself: {' '.join(cmd)}", file=sys.stderr)
    return EXIT_OK


def _docker_version() -> str | None:
    import shutil
    import subprocess

    for cmd in (["docker", "version", "--format", "{{.Server.Version}}"], ["dockerd", "--version"]):
        if shutil.which(cmd[0]) is None:
            continue
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            continue
        words = [w.strip(",") for w in out.stdout.split() if w[:1].isdigit()]
        if out.returncode == 0 and words:
            return words[0]
    return None


def cmd_capture(args: argparse.Namespace) -> int:
    import socket
    import subprocess
    import tempfile
    import threading

    from acrproxy.certs import ca_cert_path, default_confdir
    from acrproxy.launch import client_env, environment, warnings, write_bundle
    from acrproxy.output.terminal import console

    def usage(message: str) -> int:
        print(f"acrproxy capture: {message}", file=sys.stderr)
        return EXIT_USAGE

    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        return usage(
            "give the command to run after --, e.g. acrproxy capture -- skopeo inspect ..."
        )
    confdir = args.confdir or str(default_confdir())
    problem = _preflight(args, confdir)
    if problem:
        return usage(problem)
    if args.view and (why := _writable(args.view)):
        return usage(f"--view {args.view}: {why}")
    port = args.listen_port
    if not port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="acrproxy-capture-"))
    report = Path(args.report) if args.report else work / "report.json"
    proxy_cmd = [
        sys.executable,
        "-m",
        "acrproxy",
        "run",
        "--listen-host",
        args.listen_host,
        "--listen-port",
        str(port),
        "--confdir",
        confdir,
        "--report",
        str(report),
    ]
    for flag in ("har", "html", "proxyauth"):
        if getattr(args, flag):
            proxy_cmd += [f"--{flag}", getattr(args, flag)]
    proxy_cmd += ["--no-redact"] * args.no_redact + ["--quiet"] * args.quiet
    for item in args.sets:
        proxy_cmd += ["--set", item]
    view = open(args.view, "w", encoding="utf-8") if args.view else sys.stderr  # noqa: SIM115
    plain = {k: v for k, v in environment().items() if "proxy" not in k.lower()}
    proxy = subprocess.Popen(
        proxy_cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=plain,
    )
    ready = threading.Event()

    def forward() -> None:
        assert proxy.stdout is not None
        for line in proxy.stdout:
            if "acrproxy listening on" in line:
                ready.set()
            view.write(line)
            view.flush()
        ready.set()

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    ca = ca_cert_path(confdir)
    try:
        for _ in range(2400):  # up to a minute: the proxy listens, then its CA exists
            if proxy.poll() is not None:
                return usage("the proxy did not start (its output is above)")
            if _listening(port) and ca.exists():
                break
            ready.wait(0.025)
        else:
            return usage("the proxy did not start within a minute")
        bundle = write_bundle(ca, work / "ca-bundle.pem")
        for w in warnings(cmd):
            print(f"acrproxy capture: note: {w}", file=sys.stderr)
        url = f"http://127.0.0.1:{port}"
        try:
            rc = subprocess.run(cmd, env=client_env(environment(), url, bundle, ca)).returncode
        except FileNotFoundError:
            print(f"acrproxy capture: {cmd[0]}: command not found", file=sys.stderr)
            rc = 127
        except KeyboardInterrupt:
            rc = 130
    finally:
        if proxy.poll() is None:
            proxy.send_signal(signal.SIGINT)
            try:
                proxy.wait(60)
            except subprocess.TimeoutExpired:
                proxy.kill()
        reader.join(5)
        if view is not sys.stderr:
            view.close()
    _summary(report, console(sys.stderr))
    return rc


def _writable(path: str) -> str | None:
    from acrproxy.files import check_writable

    return check_writable(path)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _summary(path: Path, out: Console) -> None:
    """What the capture showed, in a few lines (the report has the rest)."""
    from rich.text import Text  # traffic text: never rich markup

    from acrproxy.output.terminal import counts
    from acrproxy.report import Report

    try:
        report = Report.model_validate_json(path.read_text())
    except (OSError, ValueError):
        out.print("acrproxy capture: no report was written")
        return
    out.print(Text(f"acrproxy capture: {counts(report)}"))
    for f in sorted(report.findings, key=lambda f: -f.severity.rank):
        out.print(Text(f"  [{f.severity.value}] {f.code}: {f.detail or f.title}"))


def cmd_check_health(args: argparse.Namespace) -> int:
    import os

    from acrproxy.health import Probe, login_server
    from acrproxy.output.health import render, table
    from acrproxy.output.terminal import console

    def usage(message: str) -> int:
        print(f"acrproxy check-health: {message}", file=sys.stderr)
        return EXIT_USAGE

    if args.password_stdin and args.token_stdin:
        return usage("--password-stdin and --token-stdin go alone, not together")
    username = args.username or os.environ.get("ACRPROXY_USERNAME")
    password, token = os.environ.get("ACRPROXY_PASSWORD"), os.environ.get("ACRPROXY_AAD_TOKEN")
    if args.password_stdin or args.token_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            return usage("nothing on stdin")
        password, token = (value, None) if args.password_stdin else (None, value)
    if password is not None and not username:
        return usage("a password needs --username (or ACRPROXY_USERNAME)")
    if args.ca and not Path(args.ca).is_file():
        return usage(f"--ca {args.ca}: no such file")
    if args.via_proxy and not args.via_proxy.startswith("http://"):
        return usage("--via-proxy: give http://HOST:PORT")
    if login_server(args.registry) is None:
        return usage("not a registry address: give HOST[:PORT], https://HOST[:PORT] or an ACR name")
    if args.timeout <= 0:
        return usage("--timeout must be positive")
    probe = Probe(
        args.registry,
        username,
        password,
        token,
        args.repository,
        args.reference,
        args.ca,
        args.via_proxy,
        args.environment,
        args.docker_pull,
        args.timeout,
    )
    report = probe.run()
    if args.json:
        sys.stdout.write(render(report))
    else:
        console(sys.stdout).print(table(report))
    return EXIT_OK if report.ok else EXIT_FINDINGS


def cmd_demo(names: list[str], out: str, list_only: bool) -> int:
    from acrproxy.lab.demo import SCENARIOS, run_demo

    if list_only:
        for name, s in SCENARIOS.items():
            print(f"{name:20} {s.title}")
        return EXIT_OK
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"acrproxy demo: no scenario {unknown[0]!r} (see --list)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return run_demo(names or list(SCENARIOS), Path(out), sys.stdout)
    except (OSError, RuntimeError) as e:
        print(f"acrproxy demo: {e}", file=sys.stderr)
        return EXIT_USAGE


def cmd_redact(src: str, dst: str) -> int:
    from acrproxy.files import check_writable, write_private
    from acrproxy.redact import NotAHar, Redactor

    why = check_writable(dst)
    if why:
        print(f"acrproxy redact: cannot write {dst}: {why}", file=sys.stderr)
        return EXIT_USAGE
    try:
        raw = sys.stdin.buffer.read() if src == "-" else Path(src).read_bytes()
        har = json.loads(raw.decode("utf-8-sig"))
        r = Redactor()
        r.har(har)
    except OSError as e:
        print(f"acrproxy redact: {src}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, RecursionError) as e:  # JSON, UTF-8 and NotAHar errors
        what = str(e) if isinstance(e, NotAHar) else f"{type(e).__name__}: {e}"[:200]
        print(f"acrproxy redact: {src}: not a HAR: {what}", file=sys.stderr)
        return EXIT_USAGE
    try:
        write_private(dst, json.dumps(har, indent=1))
    except OSError as e:
        print(f"acrproxy redact: cannot write {dst}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE
    entries = len(har["log"]["entries"])
    print(f"redacted {r.count} values in {entries} entries -> {dst}", file=sys.stderr)
    return EXIT_OK


def listen_hosts(listen_host: str, modes: Sequence[str]) -> list[str]:
    """Every address the proxy will listen on, however it was set (`--listen-host`,
    `--set listen_host=`, `--set mode=regular@HOST:PORT`); "" means every interface."""
    from mitmproxy.proxy.mode_specs import ProxyMode

    hosts = []
    for spec in modes or ["regular"]:
        try:
            hosts.append(ProxyMode.parse(spec).listen_host(listen_host))
        except ValueError:
            hosts.append(listen_host)
    return hosts


DEFAULT_HOSTS = ("127.0.0.1", "::1", "localhost")
"""Where acrproxy may listen without proxy authentication: this machine's own default hosts."""


def is_loopback(host: str) -> bool:
    """True for the default loopback hosts only (127.0.0.2 is loopback, but not one of them)."""
    return host in DEFAULT_HOSTS


def _protect(master: Any, exposed: list[str], err: Console) -> None:
    """Beyond the default loopback hosts, nobody uses the proxy without its credential: one is
    made up when none is given, and printed once (here only)."""
    import secrets

    from rich.text import Text

    where = ", ".join(h or "every interface" for h in exposed)
    port = master.options.listen_port
    err.print(
        Text(
            f"acrproxy: listening on {where}, beyond this machine's loopback: anyone who "
            "reaches it gets a TLS-decrypting proxy, so it asks for proxy authentication.",
            "bold",
        )
    )
    if master.options.proxyauth:
        return
    password = secrets.token_urlsafe(18)
    master.options.set(f"proxyauth=acrproxy:{password}")
    host = exposed[0] or "HOST"
    url = f"http://acrproxy:{password}@{host}:{port}"
    # printed raw, once: the user needs it, and every other output would redact it
    print(f"  proxy URL (keep it private): {url}", file=sys.stderr)
    print(
        f'  Docker daemon.json: {{"proxies": {{"http-proxy": "{url}", "https-proxy": "{url}"}}}}',
        file=sys.stderr,
    )
    print(
        "  Clients without it get 407; --allow-client CIDR also closes connections from other "
        "addresses.",
        file=sys.stderr,
    )


def _preflight(args: argparse.Namespace, confdir: str) -> str | None:
    """What makes `run` fail before it listens: checked first, so nothing is lost at exit."""
    from acrproxy.files import check_writable

    conf = Path(confdir).expanduser()
    if conf.exists() and not conf.is_dir():
        return f"--confdir {confdir}: not a folder"
    if not conf.exists() and not conf.parent.is_dir():
        return f"--confdir {confdir}: folder {conf.parent} does not exist"
    for flag in ("har", "report", "html"):
        path = getattr(args, flag)
        if path and (why := check_writable(path)):
            return f"--{flag} {path}: {why}"
    return None


def cmd_run(args: argparse.Namespace, web: bool = False) -> int:
    import asyncio

    from mitmproxy import options
    from mitmproxy.master import Master
    from mitmproxy.tools import dump

    from acrproxy.addons import Acrproxy
    from acrproxy.addons.dispatch import install as fast_dispatch
    from acrproxy.certs import default_confdir, secure_confdir

    err = Console(stderr=True, soft_wrap=True)
    confdir = args.confdir or str(default_confdir())
    problem = _preflight(args, confdir)
    if problem:
        print(f"acrproxy run: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.no_redact:
        err.print(
            "[bold red]warning:[/] --no-redact: exports will hold passwords and tokens as they "
            "were sent. Never attach such a file to a ticket."
        )

    async def run() -> int:
        opts = options.Options(
            listen_host=args.listen_host, listen_port=args.listen_port, confdir=confdir
        )
        master: Master
        if web:
            from mitmproxy.tools.web.master import WebMaster

            master = WebMaster(opts, with_termlog=True)
            master.options.set(
                "web_open_browser=false", f"web_port={args.web_port}", "web_host=127.0.0.1"
            )
        else:
            master = dump.DumpMaster(opts, with_termlog=True, with_dumper=False)
        fast_dispatch(master.addons)
        master.addons.add(Acrproxy())  # type: ignore[no-untyped-call]
        sets = ["termlog_verbosity=warn", "stream_large_bodies=1m", *args.sets]
        if args.proxyauth:
            sets.append(f"proxyauth={args.proxyauth}")
        if args.report:
            sets.append(f"acrproxy_report={args.report}")
        if args.html:
            sets.append(f"acrproxy_html={args.html}")
        if args.quiet:
            sets.append("acrproxy_view=false")
        if args.har:
            sets.append(f"acrproxy_har={args.har}")
        if args.no_redact:
            sets.append("acrproxy_redact=false")
        if args.allow_client:
            sets.append(f"acrproxy_allow_clients={','.join(args.allow_client)}")
        master.options.set(*sets)
        exposed = [
            h
            for h in listen_hosts(master.options.listen_host, master.options.mode)
            if not is_loopback(h)
        ]
        if exposed:
            _protect(master, exposed, err)
        secure_confdir(confdir)
        if web:
            url = getattr(master, "web_url", "")
            err.print(
                f"acrproxy web UI: {url}  (the token in it is the UI's password; findings "
                "are marked and commented on their flows)"
            )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, master.shutdown)
        await master.run()
        return EXIT_OK

    try:
        return asyncio.run(run())
    except Exception as e:  # option errors and the like: one line, no traceback
        message = scrub(" ".join(str(e).split()))  # one line, no markup, no credential
        print(f"acrproxy {'web' if web else 'run'}: {message}", file=sys.stderr)
        return EXIT_USAGE
