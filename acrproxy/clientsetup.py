"""`acrproxy setup CLIENT`: send a daemon or client through the proxy, and back, byte for byte.

Each client's plan is a list of file changes computed from the files as they are (under `root`,
so tests and cautious users can run it on a copy). `--print` shows them as a diff; `--apply`
keeps a backup of every file it touches and a record in the confdir, and refuses to apply twice;
`--undo` restores every touched file (content, mode, owner) and removes what it created.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

CLIENTS = ("docker", "containerd", "podman", "skopeo", "curl")
BEGIN, END = "# >>> acrproxy setup >>>", "# <<< acrproxy setup <<<"


class SetupError(Exception):
    """Raised when a plan cannot be made or applied; the message says why, in one line."""


@dataclass
class Change:
    path: str
    """Absolute path on the target system (without the root prefix)."""
    after: bytes
    before: bytes | None = None
    """None when the file does not exist yet."""
    mode: int = 0o644


@dataclass
class Plan:
    client: str
    changes: list[Change] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)
    """What applying also runs (trust-store updates), and undoing runs again."""
    restart: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Touched(BaseModel):
    path: str
    existed: bool
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None
    backup: str | None = None
    created_dirs: list[str] = []


class Record(BaseModel):
    client: str
    proxy: str
    touched: list[Touched]
    commands: list[list[str]] = []


@dataclass
class Target:
    """Where the changes land: `root` prefixes every path; `confdir` keeps records and backups."""

    root: Path
    confdir: Path
    proxy: str
    ca: Path
    registry: str | None = None
    docker_version: str | None = None
    home: str = "/root"

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    def read(self, p: str) -> bytes | None:
        f = self.path(p)
        return f.read_bytes() if f.is_file() else None

    def record_path(self, client: str) -> Path:
        return self.confdir / "setup" / client / "record.json"


# -- the plans -------------------------------------------------------------------------------
def _change(t: Target, path: str, after: bytes, mode: int = 0o644) -> Change | None:
    before = t.read(path)
    return None if before == after else Change(path, after, before, mode)


def _trust(t: Target, plan: Plan) -> None:
    """The CA in the system trust store (it also covers the storage hosts blobs come from)."""
    ca = t.ca.read_bytes()
    if (
        t.path("/etc/debian_version").exists()
        or t.path("/usr/local/share/ca-certificates").is_dir()
    ):
        c = _change(t, "/usr/local/share/ca-certificates/acrproxy.crt", ca)
        plan.commands.append(["update-ca-certificates"])
    elif (
        t.path("/etc/pki/ca-trust/source/anchors").is_dir()
        or t.path("/etc/redhat-release").exists()
    ):
        c = _change(t, "/etc/pki/ca-trust/source/anchors/acrproxy.pem", ca)
        plan.commands.append(["update-ca-trust"])
    else:
        plan.notes.append(
            "no Debian or RHEL trust store found: add the CA to the system's trust "
            f"store by hand ({t.ca})"
        )
        return
    if c is not None:
        plan.changes.append(c)


def _dropin(t: Target, unit: str) -> Change | None:
    text = (
        f'{BEGIN}\n[Service]\nEnvironment="HTTP_PROXY={t.proxy}" "HTTPS_PROXY={t.proxy}"\n{END}\n'
    )
    return _change(t, f"/etc/systemd/system/{unit}.service.d/acrproxy-proxy.conf", text.encode())


def _docker_major(t: Target) -> int | None:
    version = t.docker_version
    if version is None:
        return None
    head = version.split(".")[0]
    return int(head) if head.isdigit() else None


def plan_docker(t: Target) -> Plan:
    plan = Plan("docker")
    major = _docker_major(t)
    if major is not None and major >= 23:
        raw = t.read("/etc/docker/daemon.json")
        try:
            config = json.loads(raw) if raw and raw.strip() else {}
        except ValueError as e:
            raise SetupError(f"/etc/docker/daemon.json is not JSON ({e}); fix it first") from e
        if not isinstance(config, dict):
            raise SetupError("/etc/docker/daemon.json is not a JSON object; fix it first")
        config["proxies"] = {
            **config.get("proxies", {}),
            "http-proxy": t.proxy,
            "https-proxy": t.proxy,
        }
        c = _change(t, "/etc/docker/daemon.json", (json.dumps(config, indent=2) + "\n").encode())
        plan.notes.append(f'Docker Engine {t.docker_version}: daemon.json "proxies"')
    else:
        c = _dropin(t, "docker")
        plan.notes.append(
            f"Docker Engine {t.docker_version or '(version unknown)'}: a systemd "
            'drop-in (daemon.json "proxies" needs Engine 23 or later)'
        )
    if c is not None:
        plan.changes.append(c)
    _trust(t, plan)
    plan.restart = [["systemctl", "daemon-reload"], ["systemctl", "restart", "docker"]]
    plan.notes.append(
        "Docker Desktop instead: Settings > Resources > Proxies > Manual, both "
        f"fields {t.proxy} (from the VM, the host is host.docker.internal), then "
        "Apply & restart; the CA goes into the VM with Settings > Docker Engine."
    )
    return plan


def plan_containerd(t: Target) -> Plan:
    plan = Plan("containerd")
    c = _dropin(t, "containerd")
    if c is not None:
        plan.changes.append(c)
    _trust(t, plan)
    if t.registry:
        hosts = (
            f'server = "https://{t.registry}"\n\n[host."https://{t.registry}"]\n'
            f'  ca = "/etc/containerd/certs.d/{t.registry}/acrproxy.crt"\n'
        )
        for path, data in (
            (f"/etc/containerd/certs.d/{t.registry}/hosts.toml", hosts.encode()),
            (f"/etc/containerd/certs.d/{t.registry}/acrproxy.crt", t.ca.read_bytes()),
        ):
            c = _change(t, path, data)
            if c is not None:
                plan.changes.append(c)
    else:
        plan.notes.append("give --registry HOST to also write containerd's certs.d/HOST/hosts.toml")
    plan.restart = [["systemctl", "daemon-reload"], ["systemctl", "restart", "containerd"]]
    return plan


def _containers(t: Target, plan: Plan) -> None:
    conf = f'{BEGIN}\n[engine]\nenv = ["HTTP_PROXY={t.proxy}", "HTTPS_PROXY={t.proxy}"]\n{END}\n'
    c = _change(t, "/etc/containers/containers.conf.d/acrproxy.conf", conf.encode())
    if c is not None:
        plan.changes.append(c)
    if t.registry:
        c = _change(t, f"/etc/containers/certs.d/{t.registry}/ca.crt", t.ca.read_bytes())
        if c is not None:
            plan.changes.append(c)
    _trust(t, plan)


def plan_podman(t: Target) -> Plan:
    plan = Plan("podman")
    _containers(t, plan)
    return plan


def plan_skopeo(t: Target) -> Plan:
    plan = Plan("skopeo")
    _containers(t, plan)
    plan.notes.append(
        "skopeo reads no proxy from containers.conf: run it with "
        f"HTTPS_PROXY={t.proxy}, or use `acrproxy capture -- skopeo ...`"
    )
    return plan


def plan_curl(t: Target) -> Plan:
    plan = Plan("curl")
    path = f"{t.home.rstrip('/')}/.curlrc"
    before = t.read(path) or b""
    block = (f'{BEGIN}\nproxy = "{t.proxy}"\ncacert = "{t.ca}"\n{END}\n').encode()
    after = (before if before.endswith(b"\n") or not before else before + b"\n") + block
    if BEGIN.encode() not in before:
        plan.changes.append(Change(path, after, t.read(path), 0o600))
    return plan


PLANS: dict[str, Callable[[Target], Plan]] = {
    "docker": plan_docker,
    "containerd": plan_containerd,
    "podman": plan_podman,
    "skopeo": plan_skopeo,
    "curl": plan_curl,
}


# -- print, apply, undo ----------------------------------------------------------------------
def diff(plan: Plan) -> str:
    out: list[str] = []
    for c in plan.changes:
        if c.after.startswith(b"-----BEGIN CERTIFICATE"):
            verb = "replace" if c.before is not None else "add"
            out.append(f"{verb} {c.path}: acrproxy's CA certificate\n")
            continue
        before = (c.before or b"").decode("utf-8", "replace").splitlines(keepends=True)
        after = c.after.decode("utf-8", "replace").splitlines(keepends=True)
        label = "/dev/null" if c.before is None else c.path
        out += difflib.unified_diff(before, after, label, c.path)
    for cmd in plan.commands:
        out.append(f"then run: {' '.join(cmd)}\n")
    for cmd in plan.restart:
        out.append(f"restart (with --restart): {' '.join(cmd)}\n")
    for note in plan.notes:
        out.append(f"note: {note}\n")
    if not plan.changes:
        out.append("nothing to change: already set up\n")
    return "".join(out)


Runner = Callable[[list[str]], int]


def _mkdirs(target: Path) -> list[str]:
    """Create the missing folders above `target`; the ones created, outermost first."""
    missing: list[Path] = []
    p = target.parent
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=0o755)
    return [str(d) for d in reversed(missing)]


def apply(t: Target, plan: Plan, run: Runner | None = None) -> Record:
    record_path = t.record_path(plan.client)
    if record_path.exists():
        raise SetupError(
            f"{plan.client} is already set up (record {record_path}): undo it first "
            f"with `acrproxy setup {plan.client} --undo`"
        )
    backups = record_path.parent / "backup"
    backups.mkdir(parents=True, exist_ok=True, mode=0o700)
    touched: list[Touched] = []
    for n, c in enumerate(plan.changes):
        target = t.path(c.path)
        if target.exists():
            st = target.stat()
            backup = backups / f"{n}-{target.name}"
            shutil.copy2(target, backup)
            touched.append(
                Touched(
                    path=c.path,
                    existed=True,
                    mode=st.st_mode & 0o7777,
                    uid=st.st_uid,
                    gid=st.st_gid,
                    backup=str(backup),
                )
            )
        else:
            touched.append(Touched(path=c.path, existed=False, created_dirs=_mkdirs(target)))
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, c.mode)
        with os.fdopen(fd, "wb") as f:
            f.write(c.after)
    record = Record(client=plan.client, proxy=t.proxy, touched=touched, commands=plan.commands)
    record_path.write_text(record.model_dump_json(indent=2))
    os.chmod(record_path, 0o600)
    if run is not None:
        for cmd in plan.commands:
            run(cmd)
    return record


def undo(t: Target, client: str, run: Runner | None = None) -> Record:
    record_path = t.record_path(client)
    if not record_path.exists():
        raise SetupError(f"{client} is not set up by acrproxy (no record in {record_path.parent})")
    record = Record.model_validate_json(record_path.read_text())
    for item in reversed(record.touched):
        target = t.path(item.path)
        if item.existed and item.backup:
            shutil.copyfile(item.backup, target)
            if item.mode is not None:
                os.chmod(target, item.mode)
            if item.uid is not None and item.gid is not None and os.geteuid() == 0:
                os.chown(target, item.uid, item.gid)
        else:
            target.unlink(missing_ok=True)
            for d in reversed(item.created_dirs):
                try:
                    Path(d).rmdir()
                except OSError:
                    break  # not empty: something else lives there now
    if run is not None:
        for cmd in record.commands:
            run(cmd)
    shutil.rmtree(record_path.parent)
    try:
        record_path.parent.parent.rmdir()  # the setup folder, when no other client is set up
    except OSError:
        pass
    return record
