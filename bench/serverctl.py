"""Start and stop the site's server processes for benchmarks.

Every benchmark runs against real processes on loopback, each on a database
of its own prepared here (migrated, demo content loaded).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.dev")
    env.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='pairwise-bench-')}/db.sqlite3")
    env["DEBUG"] = "false"
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), *args],
        env=env,
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare_database(env: dict[str, str]) -> None:
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_demo")


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback only)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def server(env: dict[str, str], *, kind: str = "daphne", workers: int = 1, port: int | None = None):
    """Run the ASGI app under daphne, or under gunicorn with uvicorn workers."""
    port = port or free_port()
    if kind == "daphne":
        command = [str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "site.asgi:application"]
    elif kind == "uvicorn":
        command = [
            str(VENV_BIN / "uvicorn"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning", "site.asgi:application",
        ]  # fmt: skip
    else:
        raise ValueError(kind)
    process = subprocess.Popen(command, env=env, cwd=PROJECT, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
