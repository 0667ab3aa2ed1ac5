"""deploy/: two replicas behind nginx (deploy/run_replicas.sh with deploy/nginx.conf, ports filled in).

Checks through the proxy: the page and /_stcore/health answer; the websocket upgrade works (a session opens
the Explorer and steps it); students are spread over both replicas and each browser (its cookie) sticks to
one; a dropped connection resumes its own session (same step) on its replica; the load script runs through
the proxy without errors. Skips when nginx is not installed (apt-get install -y nginx); not required by CI.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import os
import re
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks import load
from content import presets
from harness import client
from harness.server import free_ports, wait_healthy


def _run_async(coro):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests) may hold this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install -y nginx)")

LINK = presets.explorer_link("bowl", "sgd", start=(2.0, 1.5), steps=40, lr=0.1)
QUERY = urlsplit(LINK).query


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("replicas")
    first = free_ports(3)
    ports, proxy_port = [first, first + 1], first + 2
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    cmd = ["bash", str(ROOT / "deploy" / "run_replicas.sh"), "-n", "2", "-p", str(first)]
    cmd += ["--proxy", str(proxy_port), "--proxy-address", "127.0.0.1", "--dir", str(run_dir)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{proxy_port}"
    try:
        wait_healthy(url, proc, timeout=120)
        pids = [int((run_dir / f"replica-{p}.pid").read_text()) for p in ports]
        yield url, ports, pids
    finally:
        proc.send_signal(signal.SIGTERM)  # the script's trap stops the replicas and nginx
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def get(url: str, cookie: str = "") -> tuple[int, str, list[str]]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read().decode(), r.headers.get_all("Set-Cookie") or []


def connects(port: int) -> int:
    """How many websocket sessions a replica has accepted (its /_stcore/metrics, asked directly)."""
    _, text, _ = get(f"http://127.0.0.1:{port}/_stcore/metrics")
    m = re.search(r'session_events_total\{type="connect"\} (\d+)', text)
    return int(m.group(1)) if m else 0


def test_the_page_and_health_answer_through_the_proxy(proxy):
    url, _, _ = proxy
    status, body, cookies = get(url + "/_stcore/health")
    assert (status, body) == (200, "ok")
    status, body, cookies = get(url + "/")
    assert status == 200 and '<div id="root">' in body and "<title>Streamlit</title>" in body
    sticky = [c for c in cookies if c.startswith("lab_replica=")]
    assert len(sticky) == 1 and "HttpOnly" in sticky[0]
    # a browser that has the cookie keeps it: no new one
    _, _, again = get(url + "/", cookie=sticky[0].split(";")[0])
    assert not [c for c in again if c.startswith("lab_replica=")]


def test_the_app_scripts_come_compressed_through_the_proxy(proxy):
    """Streamlit sends its scripts as they are; the proxy gzips them, and they unpack to the same bytes."""
    url, ports, _ = proxy
    _, page, _ = get(url + "/")
    entry = re.search(r'src="(?:\./)?(static/js/index\.[^"]+\.js)"', page).group(1)
    got = {}
    for base in (url, f"http://127.0.0.1:{ports[0]}"):  # through the proxy, and from a replica directly
        req = urllib.request.Request(f"{base}/{entry}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=10) as r:
            got[base] = r.headers.get("Content-Encoding"), r.read()
    (encoding, proxied), (direct_encoding, direct) = got[url], got[f"http://127.0.0.1:{ports[0]}"]
    assert direct_encoding is None and encoding == "gzip"
    assert len(proxied) < len(direct) / 2.5 and gzip.decompress(proxied) == direct


async def _step_through(url: str) -> None:
    async with client.Session(url) as s:
        assert "lab_replica" in s.cookies  # the browser-like client loaded the page first
        run = await s.open("explorer", QUERY)
        assert run.status == "ok" and not run.exceptions, run.exceptions
        run = await s.rerun(client.rest_at(s.stage(), 1))  # Step in the browser; the stage reports where it rests
        assert not run.exceptions, run.exceptions
        assert client.inspector_step(run) == 1


def test_a_websocket_session_works_through_the_proxy(proxy):
    url, _, _ = proxy
    _run_async(_step_through(url))


async def _open_home(url: str, cookies: dict[str, str]) -> dict[str, str]:
    async with client.Session(url, cookies=cookies) as s:
        run = await s.open("")
        assert run.status == "ok" and not run.exceptions
        return s.cookies


def test_students_are_spread_over_the_replicas_and_each_sticks_to_one(proxy):
    url, ports, _ = proxy
    placed: dict[str, set[int]] = {}
    for i in range(16):  # 16 browsers (fresh cookie jars), each connecting 3 times
        jar: dict[str, str] = {}
        for _ in range(3 if i < 6 else 1):
            before = [connects(p) for p in ports]
            jar = _run_async(_open_home(url, jar))
            after = [connects(p) for p in ports]
            got = [p for p, b, a in zip(ports, before, after, strict=True) if a > b]
            assert len(got) == 1, (before, after)
            placed.setdefault(jar["lab_replica"], set()).update(got)
    assert len(placed) == 16
    assert all(len(replicas) == 1 for replicas in placed.values()), placed  # sticky
    used = set().union(*placed.values())
    assert used == set(ports)  # both replicas serve students (all on one: chance 2 x 2^-16)


async def _drop_and_resume(url: str) -> None:
    async with client.Session(url) as s:
        run = await s.open("explorer", QUERY)
        for t in (1, 2):
            run = await s.rerun(client.rest_at(s.stage(), t))
        jar, session_id, widgets = s.cookies, s.session_id, (s.states, s.page_hash, s.query)
    assert session_id
    # the Wi-Fi drops; the browser reconnects with its cookie, asks for its session back and reruns with the
    # widget values it holds (its page did not reload)
    async with client.Session(url, cookies=jar, resume=session_id) as s:
        s.states, s.page_hash, s.query = widgets
        run = await s.rerun()
        assert not run.exceptions, run.exceptions
        assert s.session_id == session_id
        assert client.inspector_step(run) == 2  # its own run, where it stood


def test_a_dropped_connection_resumes_its_own_session_on_its_replica(proxy):
    url, _, _ = proxy
    for _ in range(4):  # a non-sticky proxy would lose about half of them
        _run_async(_drop_and_resume(url))


def test_the_load_script_runs_through_the_proxy(proxy):
    url, _, pids = proxy
    args = load.parse_args(["--url", url, "--sessions", "4", "--interactions", "1", "--settle", "0"])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # its asyncio.run needs a thread without a loop
        figures = pool.submit(load.measure, url, pids, args).result()
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["script_runs"] == 4 * (2 + 2)  # the page, the stage's first report, a rest, a control
