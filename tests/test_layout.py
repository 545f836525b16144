"""Tests mirror the code: every module of the core and every addon has its own test module."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXEMPT = {"__init__.py", "__main__.py", "entry.py"}


def expected_tests() -> dict[Path, Path]:
    out: dict[Path, Path] = {}
    for module in (ROOT / "acrproxy").rglob("*.py"):
        rel = module.relative_to(ROOT / "acrproxy")
        if module.name not in EXEMPT:
            out[module] = ROOT / "tests" / rel.parent / f"test_{module.name}"
    for module in (ROOT / "addons").glob("*.py"):
        if module.name not in EXEMPT:
            out[module] = ROOT / "tests" / "addons" / f"test_{module.name}"
    out[ROOT / "addons" / "entry.py"] = ROOT / "tests" / "addons" / "test_entry.py"
    out[ROOT / "acrproxy" / "output" / "__init__.py"] = ROOT / "tests" / "output" / "test_init.py"
    return out


def test_every_module_has_a_matching_test_file() -> None:
    missing = [
        f"{m.relative_to(ROOT)} MUST have a matching test file: {t.relative_to(ROOT)}"
        for m, t in expected_tests().items()
        if not t.exists()
    ]
    assert not missing, "\n".join(missing)


def test_every_package_of_the_tree_is_in_the_distribution() -> None:
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    tree = {
        ".".join(("acrproxy", *init.parent.relative_to(ROOT / "acrproxy").parts))
        for init in (ROOT / "acrproxy").rglob("__init__.py")
    }
    assert listed == tree | {"acrproxy.addons"}


def test_the_installed_package_runs_outside_the_checkout(tmp_path: Path) -> None:
    """`pip install` (not editable) gives a working `acrproxy`: every module imports from the
    installed copy, `analyze` reads a capture into JSON and HTML, and `demo` lists its scenarios."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    src, wheels, target = tmp_path / "src", tmp_path / "wheels", tmp_path / "site"
    shutil.copytree(  # a clean copy: a build/ folder left in the checkout would mask a gap
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", ".*cache", ".hypothesis", "results", "certs"
        ),
    )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(src)], check=True)
    (wheel,) = wheels.glob("acrproxy-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    har = tmp_path / "c.har"
    entry = {
        "startedDateTime": "2026-11-27T10:00:00.000Z",
        "time": 5,
        "request": {"method": "GET", "url": "https://r.test/v2/", "headers": []},
        "response": {"status": 401, "headers": [], "content": {"size": 0}},
    }
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    env = {**os.environ, "PYTHONPATH": str(target)}
    driver = tmp_path / "installed.py"  # the checkout's editable-install hook taken out first
    driver.write_text(
        "import runpy, sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "                    if not getattr(f, '__module__', '').startswith('__editable__')]\n"
        "sys.argv = sys.argv[1:]\n"
        "if sys.argv[0] == '-c':\n"
        "    exec(sys.argv[1])\n"
        "else:\n"
        "    runpy.run_module('acrproxy', run_name='__main__')\n"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(driver), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )

    imports = run(
        "-c",
        "import importlib, pkgutil, acrproxy, acrproxy.addons.entry\n"
        "for m in pkgutil.walk_packages(acrproxy.__path__, 'acrproxy.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print(acrproxy.__file__)",
    )
    assert imports.returncode == 0, imports.stderr
    assert imports.stdout.startswith(str(target)), imports.stdout
    analyzed = run("acrproxy", "analyze", "--format", "json", str(har))
    assert analyzed.returncode in (0, 1), analyzed.stderr
    assert json.loads(analyzed.stdout)["requests"] == 1
    page = run("acrproxy", "analyze", "--format", "html", str(har))  # the template ships too
    assert page.returncode in (0, 1) and "<html" in page.stdout, page.stderr
    demo = run("acrproxy", "demo", "--list")
    assert demo.returncode == 0 and demo.stdout.strip(), demo.stderr
