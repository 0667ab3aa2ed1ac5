"""The app's server for tests and benchmarks: `streamlit run app.py` on a free loopback port, or several
replicas behind nginx (deploy/run_replicas.sh), started, waited for and stopped.

    proc, url = start_server("app.py")    # healthy when it returns
    ...
    stop_server(proc)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n: int) -> int:
    """The first of n consecutive free loopback ports."""
    for _ in range(50):
        first = free_port()
        if first + n > 65000:
            continue
        socks = []
        try:
            for p in range(first, first + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no run of free ports")


# Two malloc arenas, with app.py's periodic malloc_trim (ui/memory.py), bring memory back near its baseline after
# a class (README, "Teaching with it"); `make run` and deploy/run_replicas.sh set the same.
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}  # as `make run` starts the app


def start_server(app: str | Path = "app.py", port: int | None = None, cwd: Path = ROOT, *extra: str, env=None):
    """`streamlit run app` on 127.0.0.1:port with the config of `cwd`; returns (process, base url) once healthy.

    The server's environment is this process's plus SERVER_ENV (unless already set) plus `env`.
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", *extra]
    full_env = {k: v for k, v in {**SERVER_ENV, **os.environ, **(env or {})}.items() if v != ""}
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
    except BaseException:
        stop_server(proc)
        raise
    return proc, url


def start_replicas(n: int) -> tuple[subprocess.Popen, str, list[int]]:
    """deploy/run_replicas.sh: n replicas and nginx in front, on free loopback ports; (process, proxy url, pids)."""
    first = free_ports(n + 1)  # the replicas, then the proxy
    proxy = first + n
    work = Path(tempfile.mkdtemp(prefix="optlab-replicas-"))
    cmd = [str(ROOT / "deploy" / "run_replicas.sh"), "-n", str(n), "-p", str(first), "--proxy", str(proxy)]
    cmd += ["--proxy-address", "127.0.0.1", "--dir", str(work)]
    env = {**SERVER_ENV, **os.environ, "PYTHON": sys.executable}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{proxy}"
    try:
        wait_healthy(url, proc, timeout=120)
        pids = [int((work / f"replica-{first + i}.pid").read_text()) for i in range(n)]
    except BaseException:
        stop_server(proc)
        raise
    return proc, url, pids


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read()[-2000:]}")
        if time.time() > deadline:
            raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
