"""acrproxy benchmark: pull time, proxy CPU and memory, the ceiling from a fast storage host,
per-request latency and analyze at scale, printed as one table.

Everything runs in one process tree on this machine and is reported as ratios within the run
(the machine is shared and noisy: absolute seconds vary between runs, ratios much less).

    .venv/bin/python bench/pull.py [--size-mib 1024] [--rounds 3] [--out bench/results/run.json]

Needs what `make test` needs (scripts/test-deps: docker-registry, skopeo, host names), and
Debian's nginx for the ceiling (apt-get install nginx-light).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from acrproxy.lab.env import (  # noqa: E402
    REGISTRY_HOST,
    RegistryEnv,
    make_oci_image,
    missing_prerequisites,
    skopeo,
)
from bench.ceiling import have_nginx, run_ceiling  # noqa: E402
from bench.common import VENV_BIN, Proxy, cpu_seconds  # noqa: E402

ALICE, BOB = "alice:alice-password-1", "bob:bob-password-2"


def pull(env: RegistryEnv, repo: str, dest: Path, proxy: Proxy | None) -> float:
    shutil.rmtree(dest, ignore_errors=True)
    certs = proxy.certs if proxy else env.cert_dir()
    start = time.perf_counter()
    skopeo(
        "copy",
        "--src-cert-dir",
        str(certs),
        "--src-creds",
        BOB,
        f"docker://{env.registry_addr}/{repo}",
        f"dir:{dest}",
        proxy=proxy.url if proxy else None,
        timeout=1800,
    )
    took = time.perf_counter() - start
    shutil.rmtree(dest, ignore_errors=True)
    return took


def latencies(
    env: RegistryEnv, proxy: Proxy | None, n_keepalive: int, n_new: int
) -> tuple[list[float], list[float]]:
    """Per-request latencies (ms) of GET /v2/ (a small 401) on one keep-alive connection, and
    with a new connection (CONNECT + TLS) per request, as docker and skopeo do."""
    ca = str(proxy.certs / "ca.crt") if proxy else env.ca
    ctx = ssl.create_default_context(cafile=ca)

    def connect() -> http.client.HTTPSConnection:
        if proxy is None:
            return http.client.HTTPSConnection(REGISTRY_HOST, env.registry_port, context=ctx)
        c = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=ctx)
        c.set_tunnel(REGISTRY_HOST, env.registry_port)
        return c

    def one(c: http.client.HTTPSConnection) -> float:
        t = time.perf_counter()
        c.request("GET", "/v2/")
        r = c.getresponse()
        r.read()
        assert r.status == 401
        return (time.perf_counter() - t) * 1000

    c = connect()
    one(c)  # warm up
    keep = [one(c) for _ in range(n_keepalive)]
    c.close()
    new = []
    for _ in range(n_new):
        t = time.perf_counter()
        c = connect()
        one(c)
        c.close()
        new.append((time.perf_counter() - t) * 1000)
    return keep, new


def analyze_at_scale(work: Path, entries: int) -> dict:
    """Time and peak RSS of `acrproxy analyze` on a generated HAR of `entries` entries."""
    path = work / "big.har"
    reg, auth = "https://registry.example.test", "https://auth.example.test/token"
    with open(path, "w") as f:
        f.write(
            '{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, '
            '"entries": [\n'
        )
        for i in range(entries):
            kind = i % 4
            url = [
                f"{reg}/v2/",
                f"{auth}?service=registry.example.test&scope=repository:r{i % 97}:pull",
                f"{reg}/v2/r{i % 97}/manifests/v{i}",
                f"{reg}/v2/r{i % 97}/blobs/sha256:{i:064x}",
            ][kind]
            status = [401, 200, 200, 307][kind]
            headers = [
                [
                    {
                        "name": "WWW-Authenticate",
                        "value": f'Bearer realm="{auth}",service="registry.example.test",'
                        f'scope="repository:r{i % 97}:pull"',
                    }
                ],
                [{"name": "Content-Type", "value": "application/json"}],
                [{"name": "Content-Type", "value": "application/vnd.oci.image.manifest.v1+json"}],
                [
                    {
                        "name": "Location",
                        "value": f"https://blob.example-storage.test/b/{i}?sig=x{i}",
                    }
                ],
            ][kind]
            text = f'{{"token": "opaque-token-{i}"}}' if kind == 1 else ""
            entry = {
                "startedDateTime": "2026-11-27T10:00:00.000Z",
                "time": 1,
                "request": {
                    "method": "GET",
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": [{"name": "Host", "value": "registry.example.test"}],
                    "queryString": [],
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "response": {
                    "status": status,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": headers,
                    "content": {"size": len(text), "mimeType": "application/json", "text": text},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": len(text),
                },
                "cache": {},
                "timings": {"send": 0, "wait": 1, "receive": 0},
            }
            f.write(("," if i else "") + json.dumps(entry) + "\n")
        f.write("]}}\n")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(VENV_BIN / "acrproxy"), "analyze", "--format", "json", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    return {
        "entries": entries,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "seconds": round(took, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": os.waitstatus_to_exitcode(status),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--small-mib", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keepalive", type=int, default=1000)
    ap.add_argument("--new", type=int, default=200)
    ap.add_argument("--har-entries", type=int, default=100_000)
    ap.add_argument("--skip-default", action="store_true", help="skip plain buffering mitmdump")
    ap.add_argument("--ceiling-mib", type=int, default=1024, help="blob size from nginx")
    ap.add_argument("--ceiling-rounds", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = ap.parse_args()
    why = missing_prerequisites() or ("" if have_nginx() else "nginx missing (nginx-light)")
    if why:
        print(f"bench: {why}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="acrproxy-bench-"))
    env = RegistryEnv(work / "registry").start()
    results: dict = {
        "size_mib": args.size_mib,
        "rounds": args.rounds,
        "machine": os.uname().nodename,
    }
    proxies: list[Proxy] = []
    try:
        for repo, mib, seed in (
            ("bench/big:v1", args.size_mib, 11),
            ("bench/small:v1", args.small_mib, 12),
        ):
            layout = work / f"img-{seed}"
            make_oci_image(layout, mib * 1024 * 1024, seed=seed)
            env.push(layout, repo, ALICE, timeout=1800)
            shutil.rmtree(layout)
        configs: dict[str, Proxy | None] = {"direct": None}
        if not args.skip_default:
            configs["mitmdump"] = Proxy("mitmdump", work, env.ca, "mitmdump")
        configs["mitmdump_stream"] = Proxy(
            "mitmdump_stream", work, env.ca, "mitmdump", "--set", "stream_large_bodies=1m"
        )
        configs["acrproxy"] = Proxy("acrproxy", work, env.ca, "acrproxy")
        proxies = [p for p in configs.values() if p]
        times: dict[str, list[float]] = {k: [] for k in configs}
        cpu: dict[str, list[float]] = {k: [] for k, p in configs.items() if p}
        names = list(configs)
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:  # rotate the order
                proxy = configs[name]
                before = cpu_seconds(proxy.proc.pid) if proxy else 0.0
                t = pull(env, "bench/big:v1", work / "dest", proxy)
                times[name].append(t)
                if proxy:
                    cpu[name].append(
                        (cpu_seconds(proxy.proc.pid) - before) / (args.size_mib / 1024)
                    )
                print(f"round {r + 1} {name}: {t:.2f}s", file=sys.stderr)
        med = {k: statistics.median(v) for k, v in times.items()}
        results["pull_seconds"] = {k: [round(x, 2) for x in v] for k, v in times.items()}
        results["pull_median_seconds"] = {k: round(v, 2) for k, v in med.items()}
        results["pull_ratio_to_direct"] = {k: round(v / med["direct"], 3) for k, v in med.items()}
        results["acrproxy_ratio_to_mitmdump_stream"] = round(
            med["acrproxy"] / med["mitmdump_stream"], 3
        )
        results["pull_proxy_cpu_seconds_per_gib"] = {
            k: round(statistics.median(v), 2) for k, v in cpu.items()
        }
        results["peak_rss_mib_after_big_pulls"] = {
            p.name: round(p.peak_rss_mib(), 1) for p in proxies
        }
        samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in configs}
        chunks = 10  # interleaved like the pulls: each config gets 10 rotated turns
        for r in range(chunks):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                keep, new = latencies(
                    env, configs[name], args.keepalive // chunks, args.new // chunks
                )
                samples[name][0].extend(keep)
                samples[name][1].extend(new)
        lat = {
            k: {
                "keepalive_ms": statistics.median(v[0]),
                "new_connection_ms": statistics.median(v[1]),
            }
            for k, v in samples.items()
        }
        results["latency_ms"] = {
            k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in lat.items()
        }
        base = lat.get("mitmdump") or lat["mitmdump_stream"]
        results["acrproxy_latency_ratio_to_mitmdump"] = {
            k: round(lat["acrproxy"][k] / base[k], 3) for k in base
        }
        for p in proxies:
            p.stop()
        proxies = []
        # acrproxy's memory must not depend on blob size: fresh processes for each size
        for repo, label in (
            ("bench/small:v1", f"{args.small_mib}MiB"),
            ("bench/big:v1", f"{args.size_mib}MiB"),
        ):
            p = Proxy(f"acrproxy-{label}", work, env.ca, "acrproxy")
            proxies = [p]
            pull(env, repo, work / "dest", p)
            results.setdefault("acrproxy_peak_rss_mib_by_blob", {})[label] = round(
                p.peak_rss_mib(), 1
            )
            p.stop()
            proxies = []
        results["ceiling"] = run_ceiling(work / "ceiling", args.ceiling_mib, args.ceiling_rounds)
        results["analyze"] = analyze_at_scale(work, args.har_entries)
    finally:
        for p in proxies:
            p.stop()
        env.stop()
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    print(table(results))
    return 0


def table(r: dict) -> str:
    """Every figure side by side, as Markdown (the README's Performance table)."""
    c, lat, rss = r["ceiling"], r["latency_ms"], r["peak_rss_mib_after_big_pulls"]
    med, cpu = r["pull_median_seconds"], r["pull_proxy_cpu_seconds_per_gib"]
    mbps, par, ccpu = (
        c["single_stream_mb_per_s"],
        c["three_parallel_mb_per_s"],
        c["proxy_cpu_seconds_per_gib"],
    )
    base = "mitmdump" if "mitmdump" in lat else "mitmdump_stream"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x"

    def row(
        name: str, direct: object, plain: object, stream: object, acr: object, x: str, bar: str
    ):
        return f"| {name} | {direct} | {plain} | {stream} | {acr} | {x} | {bar} |"

    plain_pull = med.get("mitmdump", "")
    lines = [
        "| | direct | mitmdump | mitmdump streaming | acrproxy | acrproxy / mitmdump* | bar |",
        "|---|---|---|---|---|---|---|",
        row(
            f"ceiling, one {c['size_mib']} MiB blob from nginx (MB/s)",
            mbps["direct"],
            "",
            mbps["mitmdump"],
            mbps["acrproxy"],
            ratio(mbps["acrproxy"], mbps["mitmdump"]),
            "≥ 1.0x (aim ≥ 2x)",
        ),
        row(
            "ceiling, three blobs at once (MB/s)",
            par["direct"],
            "",
            par["mitmdump"],
            par["acrproxy"],
            ratio(par["acrproxy"], par["mitmdump"]),
            "",
        ),
        row(
            "proxy CPU-seconds per GiB, from nginx",
            "",
            "",
            ccpu["mitmdump"],
            ccpu["acrproxy"],
            ratio(ccpu["acrproxy"], ccpu["mitmdump"]),
            "≤ 1.0x (aim ≤ 0.5x)",
        ),
        row(
            f"skopeo pull of {r['size_mib']} MiB, median (s)",
            med["direct"],
            plain_pull,
            med["mitmdump_stream"],
            med["acrproxy"],
            ratio(med["acrproxy"], med["mitmdump_stream"]),
            "≤ 1.0x",
        ),
        row(
            "proxy CPU-seconds per GiB, skopeo pull",
            "",
            cpu.get("mitmdump", ""),
            cpu["mitmdump_stream"],
            cpu["acrproxy"],
            ratio(cpu["acrproxy"], cpu["mitmdump_stream"]),
            "",
        ),
        row(
            "proxy peak RSS (MiB)",
            "",
            rss.get("mitmdump", ""),
            rss["mitmdump_stream"],
            rss["acrproxy"],
            "",
            "≤ 100 MiB",
        ),
        *(
            row(
                f"latency p50, {words} (ms)",
                lat["direct"][key],
                lat.get("mitmdump", {}).get(key, ""),
                lat["mitmdump_stream"][key],
                lat["acrproxy"][key],
                ratio(lat["acrproxy"][key], lat[base][key]),
                "≤ 1.10x",
            )
            for words, key in (
                ("keep-alive", "keepalive_ms"),
                ("new connection", "new_connection_ms"),
            )
        ),
        row(
            f"analyze, {r['analyze']['entries']:,} HAR entries",
            "",
            "",
            "",
            f"{r['analyze']['seconds']} s, {r['analyze']['peak_rss_mib']} MiB",
            "",
            "≤ 10 s, ≤ 512 MiB",
        ),
    ]
    note = (
        "\n*Ratios to mitmdump streaming (`stream_large_bodies=1m`); latency ratios to "
        f"{'plain mitmdump (its defaults)' if base == 'mitmdump' else 'mitmdump streaming'}."
    )
    return "\n".join(lines) + "\n" + note


if __name__ == "__main__":
    sys.exit(main())
