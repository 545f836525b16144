"""The single-stream ceiling: a 1 GiB blob from a fast TLS storage host (Debian's nginx), fetched
with curl directly, through plain `mitmdump --set stream_large_bodies=1m`, and through
`acrproxy run` (which hashes every blob), in interleaved rounds; then three blobs in parallel.
Reports MB/s and the proxy's CPU-seconds per GiB (utime + stime from /proc), medians.

    .venv/bin/python bench/ceiling.py [--size-mib 1024] [--rounds 5] [--out FILE]

Needs nginx (apt-get install nginx-light) and curl. Loopback only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from acrproxy.lab.env import free_port, wait_for_port  # noqa: E402
from acrproxy.lab.pki import make_pki  # noqa: E402
from bench.common import Proxy, cpu_seconds  # noqa: E402

MiB = 1024 * 1024


def blob(folder: Path, size: int, seed: int) -> str:
    """A blob file named by its digest, under the registry path layout nginx serves."""
    folder.mkdir(parents=True, exist_ok=True)
    h, tmp = hashlib.sha256(), folder / f"blob-{seed}.tmp"
    with open(tmp, "wb") as f:
        block = hashlib.sha512(str(seed).encode()).digest() * (MiB // 64)
        for i in range(size // MiB):
            chunk = block[i % 64 :] + block[: i % 64]
            h.update(chunk)
            f.write(chunk)
    digest = "sha256:" + h.hexdigest()
    target = folder / "v2" / "bench" / "blobs"
    target.mkdir(parents=True, exist_ok=True)
    tmp.rename(target / digest)
    return f"/v2/bench/blobs/{digest}"


class Nginx:
    def __init__(self, work: Path, root: Path, cert: Path, key: Path) -> None:
        self.port = free_port()
        conf = work / "nginx.conf"
        conf.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
  server {{
    listen 127.0.0.1:{self.port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {root};
  }}
}}
""")
        (work / "nginx-tmp").mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-c",
                str(conf),
                "-e",
                str(work / "nginx-error.log"),
            ]
        )
        wait_for_port(self.port, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def fetch(url: str, ca: Path, proxy: Proxy | None) -> float:
    """curl the URL to nowhere; its seconds."""
    cmd = [
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "--fail",
        "--cacert",
        str(ca),
        "-w",
        "%{time_total}",
        "--noproxy",
        "",
    ]
    if proxy is not None:
        cmd += ["--proxy", f"http://127.0.0.1:{proxy.port}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, timeout=900)
    return float(out.stdout)


def together(base: str, paths: list[str], size: int, proxy: Proxy | None, ca: Path) -> float:
    """MB/s of fetching every path at once (docker pulls three layers at a time)."""
    threads = [
        threading.Thread(target=fetch, args=(base + p, proxy.ca if proxy else ca, proxy))
        for p in paths
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(len(paths) * size / (time.perf_counter() - start) / 1e6, 1)


def have_nginx() -> bool:
    return bool(shutil.which("nginx")) or Path("/usr/sbin/nginx").exists()


def run_ceiling(work: Path, size_mib: int, rounds: int) -> dict:
    """Interleaved single-stream rounds (direct, mitmdump streaming, acrproxy), then three blobs
    at once; MB/s medians and each proxy's CPU-seconds per GiB."""
    size = size_mib * MiB
    work.mkdir(parents=True, exist_ok=True)
    pki = make_pki(work / "pki", ["127.0.0.1"])
    data = work / "data"
    paths = [blob(data, size, seed) for seed in range(3)]
    nginx = Nginx(work, data, pki.server_cert, pki.server_key)
    proxies: dict[str, Proxy] = {}
    try:
        proxies["mitmdump"] = Proxy(
            "ceiling-mitmdump", work, pki.ca_pem, "mitmdump", "--set", "stream_large_bodies=1m"
        )
        proxies["acrproxy"] = Proxy("ceiling-acrproxy", work, pki.ca_pem, "acrproxy")
        base = f"https://127.0.0.1:{nginx.port}"
        runs: dict[str, list[float]] = {"direct": [], "mitmdump": [], "acrproxy": []}
        cpu: dict[str, list[float]] = {"mitmdump": [], "acrproxy": []}
        order = ["direct", "mitmdump", "acrproxy"]
        for r in range(rounds):
            for name in order[r % 3 :] + order[: r % 3]:
                proxy = proxies.get(name)
                before = cpu_seconds(proxy.proc.pid) if proxy else 0.0
                took = fetch(base + paths[0], proxy.ca if proxy else pki.ca_pem, proxy)
                runs[name].append(took)
                if proxy:
                    cpu[name].append((cpu_seconds(proxy.proc.pid) - before) / (size / 2**30))
                print(f"ceiling round {r + 1} {name}: {took:.2f}s", file=sys.stderr)
        parallel = {
            name: together(base, paths, size, proxies.get(name), pki.ca_pem) for name in order
        }
    finally:
        for p in proxies.values():
            p.stop()
        nginx.stop()
    mbps = {k: round(size / statistics.median(v) / 1e6, 1) for k, v in runs.items()}
    return {
        "size_mib": size_mib,
        "rounds": rounds,
        "single_stream_mb_per_s": mbps,
        "acrproxy_to_mitmdump": round(mbps["acrproxy"] / mbps["mitmdump"], 3),
        "three_parallel_mb_per_s": parallel,
        "three_parallel_acrproxy_to_mitmdump": round(
            parallel["acrproxy"] / parallel["mitmdump"], 3
        ),
        "proxy_cpu_seconds_per_gib": {k: round(statistics.median(v), 2) for k, v in cpu.items()},
        "acrproxy_cpu_to_mitmdump": round(
            statistics.median(cpu["acrproxy"]) / statistics.median(cpu["mitmdump"]), 3
        ),
        "seconds": runs,
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "ceiling.json"))
    args = ap.parse_args()
    if not have_nginx():
        print("bench/ceiling.py needs nginx: apt-get install nginx-light", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="acrproxy-ceiling-") as tmp:
        result = run_ceiling(Path(tmp), args.size_mib, args.rounds)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
