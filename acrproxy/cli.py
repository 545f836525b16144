"""The `acrproxy` command: run the proxy, decode values, analyse captures."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import signal
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.tree import Tree

from acrproxy import __version__
from acrproxy.errors import ParseError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="acrproxy", description=__doc__)
    p.add_argument("--version", action="version", version=f"acrproxy {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the proxy (mitmproxy with acrproxy's addons)")
    run.add_argument("--listen-host", default="127.0.0.1")
    run.add_argument("--listen-port", type=int, default=8888)
    run.add_argument("--confdir", help="where the proxy's CA lives (default: certs/ or ~/.acrproxy)")
    run.add_argument("--proxyauth", help="require proxy authentication: user:pass, @htpasswd, ...")
    run.add_argument("--report", help="write the JSON report (findings, auth flows) here on exit")
    run.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                     help="any mitmproxy option, e.g. ssl_verify_upstream_trusted_ca=ca.pem")
    run.add_argument("--har", help="write a HAR file of the capture here, flow by flow (redacted)")
    run.add_argument("--no-redact", action="store_true",
                     help="write credentials into exports unredacted (never share such a file)")
    run.add_argument("--quiet", action="store_true", help="no live view")

    dec = sub.add_parser("decode", help="decode a JWT, Authorization, WWW-Authenticate, scope or "
                         "token-response value ('-' reads stdin)")
    dec.add_argument("value")
    dec.add_argument("--json", action="store_true", help="machine-readable output")

    an = sub.add_parser("analyze", help="analyse HAR files (any tool) or mitmproxy flow files")
    an.add_argument("files", nargs="+")
    an.add_argument("--format", choices=("text", "json"), default="text")
    red = sub.add_parser("redact", help="redact a HAR captured with any tool before sharing it")
    red.add_argument("input")
    red.add_argument("-o", "--output", required=True)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "decode":
        return cmd_decode(args.value, args.json)
    if args.command == "analyze":
        return cmd_analyze(args.files, args.format)
    if args.command == "redact":
        return cmd_redact(args.input, args.output)
    return cmd_run(args)


def cmd_decode(value: str, as_json: bool) -> int:
    from acrproxy.decode import decode_value, to_json

    out = Console(soft_wrap=True, highlight=False)
    if value == "-":
        value = sys.stdin.buffer.read().decode("utf-8", "replace")
    try:
        result = decode_value(value)
    except ParseError as e:
        if as_json:
            print(to_json({"kind": "error", "message": str(e)}))
        else:
            print(f"acrproxy decode: {e}", file=sys.stderr)
        return EXIT_USAGE
    if as_json:
        print(to_json(result))
        return EXIT_OK
    _print_decoded(out, result)
    return EXIT_OK


def _print_decoded(out: Console, r: dict) -> None:
    kind = r["kind"]
    if kind in ("jwt", "opaque"):
        out.print(_token_tree(r))
    elif kind == "basic":
        out.print(f"Basic credential: username {r['username']!r}, password {r['password_fingerprint']}"
                  " (never shown)")
        if r.get("note"):
            out.print(f"  {r['note']}")
        if r.get("token"):
            out.print(_token_tree(r["token"]))
    elif kind == "challenge":
        for c in r["challenges"]:
            t = Tree(f"challenge: {c['scheme']}")
            for k, v in c["params"].items():
                t.add(f"{k} = {v}")
            for s in c["scopes"]:
                t.add(f"scope {s['type']}:{s['name']} actions {','.join(s['actions']) or '(none)'}")
            out.print(t)
    elif kind == "scope":
        for s in r["scopes"]:
            out.print(f"{s['type']} {s['name']!r}: {', '.join(s['actions']) or '(no actions)'}")
    elif kind == "token_response":
        t = Tree(f"token response: expires_in {r.get('expires_in')}, issued_at {r.get('issued_at')}")
        for key in ("token", "refresh_token"):
            if key in r:
                t.add(key).add(_token_tree(r[key]))
        out.print(t)
    else:
        out.print(json.dumps(r, indent=2))


def _token_tree(r: dict) -> Tree:
    if r["kind"] == "opaque":
        return Tree(f"opaque token {r['fingerprint']} ({r['hint']}): not a JWT, nothing to decode")
    t = Tree(f"{r['label']} {r['fingerprint']} [bold yellow](unverified: signature not checked)[/]")
    h = t.add("header")
    for k, v in r["header"].items():
        h.add(f"{k}: {str(v)[:80]}")
    c = t.add("claims")
    from acrproxy.view import human_time

    for k, v in r["claims"].items():
        if k == "access":
            continue
        extra = f"  ({human_time(v)})" if k in ("exp", "nbf", "iat") and isinstance(v, int | float) else ""
        c.add(f"{k}: {v}{extra}")
    if "access" in r["claims"]:
        a = t.add("access")
        for e in r["access"]:
            acts = ",".join(e["actions"]) or "[bold red]none (denied)[/]"
            more = {k: v for k, v in e.items() if k not in ("type", "name", "actions")}
            a.add(f"{e['type']}:{e['name']}: {acts}" + (f" {more}" if more else ""))
    for k, v in r.get("nested", {}).items():
        t.add(f"nested JWT in {k!r}").add(_token_tree(v))
    return t


def cmd_analyze(files: list[str], fmt: str) -> int:
    from acrproxy.capture import read_exchanges
    from acrproxy.analysis import Session
    from acrproxy.findings import Severity
    from acrproxy.view import auth_flow_tree, finding_text

    session = Session()
    try:
        for path in files:
            for ex in read_exchanges(path):
                session.feed(ex)
    except ParseError as e:
        print(f"acrproxy analyze: {e}", file=sys.stderr)
        return EXIT_USAGE
    report = session.report()
    if fmt == "json":
        print(report.model_dump_json(indent=2, exclude={"findings": {"__all__": {"key"}}}))
    else:
        out = Console(soft_wrap=True, highlight=False)
        out.print(f"{report.requests} requests, {len(report.auth_flows)} auth flows, "
                  f"{len(report.findings)} findings")
        for af in report.auth_flows:
            out.print(auth_flow_tree(af))
        for f in report.findings:
            out.print(finding_text(f))
    bad = any(f.severity.rank >= Severity.LOW.rank for f in report.findings)
    return EXIT_FINDINGS if bad else EXIT_OK


def cmd_redact(src: str, dst: str) -> int:
    from acrproxy.redact import Redactor

    try:
        with open(src, encoding="utf-8-sig") as f:
            har = json.load(f)
        if not isinstance(har, dict) or not isinstance(har.get("log"), dict):
            raise ValueError("no log object: not a HAR file")
    except (OSError, ValueError, RecursionError) as e:
        print(f"acrproxy redact: {src}: {e}", file=sys.stderr)
        return EXIT_USAGE
    r = Redactor()
    r.har(har)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(har, f, indent=1)
    print(f"redacted {r.count} values in {len(har['log'].get('entries') or [])} entries -> {dst}",
          file=sys.stderr)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from mitmproxy import options
    from mitmproxy.tools import dump

    from acrproxy.addons import default_addons
    from acrproxy.certs import default_confdir, secure_confdir

    err = Console(stderr=True, soft_wrap=True)
    try:
        loopback = ipaddress.ip_address(args.listen_host).is_loopback
    except ValueError:
        loopback = args.listen_host == "localhost"
    if not loopback:
        err.print(f"[bold red]warning:[/] listening on {args.listen_host or 'all interfaces'}: anyone who "
                  "can reach it gets a TLS-decrypting proxy that sees registry credentials."
                  + ("" if args.proxyauth else " Consider --proxyauth user:pass."))
    if args.no_redact:
        err.print("[bold red]warning:[/] --no-redact: exports will hold passwords and tokens as they "
                  "were sent. Never attach such a file to a ticket.")
    confdir = args.confdir or str(default_confdir())

    async def run() -> int:
        opts = options.Options(listen_host=args.listen_host, listen_port=args.listen_port,
                               confdir=confdir)
        master = dump.DumpMaster(opts, with_termlog=True, with_dumper=False)
        master.addons.add(*default_addons())
        sets = ["termlog_verbosity=warn", "stream_large_bodies=1m", *args.sets]
        if args.proxyauth:
            sets.append(f"proxyauth={args.proxyauth}")
        if args.report:
            sets.append(f"acrproxy_report={args.report}")
        if args.quiet:
            sets.append("acrproxy_view=false")
        if args.har:
            sets.append(f"acrproxy_har={args.har}")
        if args.no_redact:
            sets.append("acrproxy_redact=false")
        master.options.set(*sets)
        secure_confdir(confdir)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, master.shutdown)
        await master.run()
        return EXIT_OK

    try:
        return asyncio.run(run())
    except Exception as e:  # option errors and the like: one line, no traceback
        err.print(f"acrproxy run: {e}")
        return EXIT_USAGE
