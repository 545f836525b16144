"""The analysis session: checks run once per exchange, findings de-duplicated."""

from __future__ import annotations

from collections.abc import Iterator

from acrproxy.analysis import Session
from acrproxy.findings import CATALOGUE
from tests.flows import ex
from tests.sessions import AUTH, REG


def test_catalogue_is_complete_and_stable() -> None:
    assert len(CATALOGUE) == 21
    assert all(code.isupper() and " " not in code for code in CATALOGUE)


def test_same_finding_twice_is_one_finding_with_both_flows() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    s.feed(ex(f"{REG}/v2/", status=None, error="Connection refused"))
    (f,) = s.findings
    assert len(f.exchanges) == 2


def test_a_frequent_finding_keeps_its_first_exchanges_once_each() -> None:
    from acrproxy.checks.context import Context
    from acrproxy.exchange import Exchange
    from acrproxy.findings import Code, Finding, make
    from acrproxy.sensitive import MAX_EXCHANGES_PER_FINDING

    def twice(e: Exchange, ctx: Context) -> Iterator[Finding]:  # each id twice, and id "0"
        yield make(Code.UPSTREAM_ERROR, [e.id, e.id, "0"], detail="same", key="k")

    s = Session(checks=[twice])
    s.add(Exchange(id="0", method="GET", url=f"{REG}/v2/"))
    (first,) = s.findings
    assert first.exchanges == ["0", "0", "0"]  # the first occurrence as its check made it
    for i in range(1, 3 * MAX_EXCHANGES_PER_FINDING):
        s.add(Exchange(id=str(i), method="GET", url=f"{REG}/v2/"))
        if i == 5:
            assert s.findings[0].exchanges == ["0", "0", "0", "1", "2", "3", "4", "5"]
    (f,) = s.findings
    assert len(f.exchanges) == MAX_EXCHANGES_PER_FINDING
    assert f.exchanges[3:] == [str(i) for i in range(1, MAX_EXCHANGES_PER_FINDING - 2)]
    assert f.key == "k"
    assert s.report().findings == [f]


def test_deeply_nested_json_bodies_are_not_fatal() -> None:
    s = Session()
    s.feed(ex(f"{REG}/v2/x/manifests/v1", status=403, body=b"[" * 100000))
    s.feed(ex(f"{AUTH}?service=s", body=b"[" * 100000))
    from acrproxy.redact import Redactor

    assert Redactor().json_text("[" * 100000) is None  # not JSON it can read: left out


BOUNDED = r"""
import json, jwt, time
from acrproxy.analysis import Session
from acrproxy.exchange import Exchange

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

s = Session()
t = time.time()
def feed(i, **kw):
    s.feed(Exchange(id=str(i), client="10.0.0.5", started=t + i, **kw))
for i in range(200):  # warm up: imports, caches
    feed(i, method="GET", url="https://r.test/v2/", status=401)
before = rss()
for i in range(2000):
    big = f'Bearer realm="https://a.test/t{i}",service="s{i}",x="' + "x" * 60000 + '"'
    feed(i, method="GET", url=f"https://r{i}.test/v2/", status=401,
         resp_headers=[("www-authenticate", big)])
for i in range(10000):
    token = jwt.encode({"sub": f"u{i}", "exp": t + 10**6, "access": [
        {"type": "repository", "name": f"team/app{i}", "actions": ["pull"]}]}, "k" * 32)
    feed(i, method="GET", url=f"https://a.test/token?service=s&scope=repository:team/app{i}:pull",
         status=200, resp_body=json.dumps({"token": token, "expires_in": 300}).encode())
report = s.report()
print(json.dumps({"growth": rss() - before, "flows": len(report.auth_flows),
                  "dropped": report.dropped_auth_flows}))
"""


def test_session_state_is_bounded() -> None:
    """2000 distinct 60 KB challenges and 10,000 token requests: RSS grows < 64 MiB."""
    import json
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", BOUNDED], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["flows"] == 1000 and out["dropped"] == 11000
    assert out["growth"] < 64 * 1024 * 1024, out
