"""Real server processes serving demo content, for browser tests, fault tests and benchmarks.

Browser and fault tests (``tests/browser``, ``tests/faults``) and the
benchmarks (``bench/``) talk to the site over HTTP and WebSocket exactly as a
person would, so they need the real ASGI server, not Django's test client.
This module prepares a throwaway SQLite database (migrate, then ``load_demo``)
and starts ``daphne`` (or, to compare servers, uvicorn or gunicorn with
uvicorn workers) on a free port, as subprocesses of the virtualenv's
interpreter. Tests that need PostgreSQL make a database of their own on the
run's server (``create_postgres_database``) and fill it the same way.

It is plain Python, without pytest, so that a test can start more servers of
its own: restart one to prove clients reconnect, or run two against the same
database with ``REDIS_URL`` to prove a comment crosses processes::

    first = DaphneProcess(database_url, env={"REDIS_URL": redis_url}).start()
    second = DaphneProcess(database_url, env={"REDIS_URL": redis_url}).start()
    ...
    first.restart()  # same port, so open pages reconnect to it
"""

from __future__ import annotations

import functools
import hashlib
import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import redis

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
DEMO_PASSWORD = "pairwise-demo"
# The demo site, as ``make run`` serves it.
SERVER_SETTINGS = "site.settings.dev"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(
    database_url: str, overrides: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """The environment of a manage.py or daphne subprocess.

    It inherits this process's environment (so ``REDIS_URL`` set for the whole
    run reaches the server) but always uses the given database and the demo
    settings, never the test run's own. A value of ``None`` in ``overrides``
    removes that variable.
    """
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS,
            "PYTHONUNBUFFERED": "1",
            # The demo's images live beside its database template, not in the checkout.
            "MEDIA_ROOT": str(demo_media_root()),
        }
    )
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def temporary_database_url() -> str:
    """A fresh SQLite file name under the temporary directory (not yet created)."""
    path = Path(tempfile.gettempdir()) / f"pairwise-browser-{uuid.uuid4().hex}.sqlite3"
    return f"sqlite:///{path}"


def remove_sqlite_database(database_url: str) -> None:
    """Delete a SQLite database made by ``temporary_database_url`` and its WAL files."""
    path = sqlite_path(database_url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def demo_database(template: str | None = None) -> Iterator[str]:
    """A throwaway SQLite copy of the demo for one server (or run); its URL.

    ``template`` (a prepared SQLite file) is copied instead of migrating and
    loading the demo, which ``prepare_demo_database`` caches anyway.
    """
    database_url = temporary_database_url()
    try:
        if template:
            shutil.copyfile(template, sqlite_path(database_url))
        else:
            prepare_demo_database(database_url)
        yield database_url
    finally:
        remove_sqlite_database(database_url)


def manage(
    *args: str, database_url: str, env: Mapping[str, str | None] | None = None, timeout: float = 300
) -> str:
    """Run ``manage.py <args>`` against the database; its output, or raise with it if it fails."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(PROJECT_DIR / "manage.py"), *args],
        cwd=PROJECT_DIR,
        env=server_environment(database_url, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed with exit code {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def prepare_demo_database(database_url: str, env: Mapping[str, str | None] | None = None) -> None:
    """Migrate an empty database and load the demo people, pairs and posts.

    Both steps run as ``manage.py`` subprocesses (system checks skipped for
    speed: ``make check`` and ``.ci/run`` run them). For SQLite they take most
    of a browser run, so the result is kept as a template in the temporary
    directory, named after a hash of the code that shapes it (models,
    migrations, demo content, settings); later runs copy that file until the
    code changes. ``PAIRWISE_BROWSER_DB_CACHE=0`` always builds from scratch.
    Any other database (``postgres://...``) must exist and be empty.
    """
    if not database_url.startswith("sqlite:///"):
        _migrate_and_load_demo(database_url, env)
        return
    target = sqlite_path(database_url)
    use_cache = os.environ.get("PAIRWISE_BROWSER_DB_CACHE", "1") != "0"
    template = Path(tempfile.gettempdir()) / f"pairwise-browser-demo-{demo_source_digest()}.sqlite3"
    if use_cache and template.exists() and demo_media_root().exists():
        shutil.copyfile(template, target)
        return
    _migrate_and_load_demo(database_url, env)
    _fold_write_ahead_log(target)
    if use_cache:
        # Copy, then rename: a run in parallel never sees half a template.
        partial = template.with_suffix(f".{uuid.uuid4().hex}.partial")
        shutil.copyfile(target, partial)
        partial.replace(template)
        for stale in template.parent.glob("pairwise-browser-demo-*.sqlite3"):
            if stale != template:
                stale.unlink(missing_ok=True)
        for stale in template.parent.glob("pairwise-browser-demo-*-media"):
            if stale != demo_media_root():
                shutil.rmtree(stale, ignore_errors=True)


def demo_media_root() -> Path:
    """Where servers started here keep uploads: the images ``load_demo`` draws, kept with the template.

    A database template names image files; they must outlive the checkout
    that made them (a fresh clone has no ``media/``) as long as the template
    does, so both are named by the same digest.
    """
    return Path(tempfile.gettempdir()) / f"pairwise-browser-demo-{demo_source_digest()}-media"


def _migrate_and_load_demo(database_url: str, env: Mapping[str, str | None] | None) -> None:
    manage("migrate", "--no-input", "--skip-checks", database_url=database_url, env=env)
    manage("load_demo", "--skip-checks", database_url=database_url, env=env)


def sqlite_path(database_url: str) -> Path:
    if not database_url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite database URL: {database_url!r}")
    return Path(database_url.removeprefix("sqlite:///"))


# What ``migrate`` and ``load_demo`` write depends on these files only: views,
# consumers, templates and the like can change without a new database.
_DATABASE_SHAPING_FOLDERS = {"migrations", "models", "management", "settings", "demo"}
_DATABASE_SHAPING_FILES = {"models.py", "blocks.py", "services.py", "permissions.py", "apps.py"}


@functools.cache
def demo_source_digest() -> str:
    """A hash of every file that decides what ``migrate`` and ``load_demo`` write."""
    digest = hashlib.sha256()
    for folder in ("blog", "home", "learning", "site/settings"):
        for path in sorted(p for p in (PROJECT_DIR / folder).rglob("*") if p.suffix in {".py", ".toml"}):
            relative = path.relative_to(PROJECT_DIR)
            shapes_database = (
                _DATABASE_SHAPING_FOLDERS & set(relative.parts[:-1])
                or path.name in _DATABASE_SHAPING_FILES
                or path.name.startswith("demo")
            )
            if not shapes_database:
                continue
            digest.update(str(relative).encode())
            digest.update(path.read_bytes())
    digest.update((PROJECT_DIR / "requirements.txt").read_bytes())
    return digest.hexdigest()[:16]


def _fold_write_ahead_log(path: Path) -> None:
    """Move everything into the main file, so that copying that one file is enough."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def server_command(server: str, *, port: int, application: str, workers: int = 1) -> list[str]:
    """The command line that serves ``application`` on 127.0.0.1:``port``.

    ``daphne`` is the design card's server and the default. ``uvicorn`` and
    ``gunicorn`` (with ``workers`` uvicorn workers) are there to be measured
    beside it (``bench/``); they need ``bench/requirements.txt``.
    """
    if server == "daphne":
        return [str(BIN_DIR / "daphne"), "-b", "127.0.0.1", "-p", str(port), application]
    if server == "uvicorn":
        return [
            str(BIN_DIR / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning", application,
        ]  # fmt: skip
    if server == "gunicorn":
        return [
            str(BIN_DIR / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "uvicorn.workers.UvicornWorker", "--log-level", "warning", application,
        ]  # fmt: skip
    raise ValueError(f"unknown server {server!r}: daphne, uvicorn or gunicorn")


class DaphneProcess:
    """One ``daphne`` serving ``site.asgi:application`` on 127.0.0.1.

    ``env`` adds to (or, with ``None`` values, removes from) the environment of
    the server, e.g. ``{"REDIS_URL": "redis://127.0.0.1:6379/0"}``. The port is
    chosen once and kept across ``restart()``. Output goes to a log file whose
    tail is shown when the server fails to start. Benchmarks pass ``server``
    (see ``server_command``) and ``application`` to measure other setups the
    same way. ``server_args`` go to the server's command line as they are, e.g.
    ``["--ping-interval", "1", "--ping-timeout", "3"]`` for daphne.
    """

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        env: Mapping[str, str | None] | None = None,
        startup_timeout: float = 30,
        log_dir: Path | None = None,
        server: str = "daphne",
        application: str = "site.asgi:application",
        workers: int = 1,
        server_args: Sequence[str] = (),
    ) -> None:
        self.database_url = database_url
        self.server, self.application, self.workers = server, application, workers
        self.server_args = list(server_args)
        self.port = port or free_port()
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout
        log_dir = Path(log_dir or tempfile.gettempdir())
        self.log_path = log_dir / f"pairwise-{server}-{self.port}-{uuid.uuid4().hex[:8]}.log"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The server's process id (gunicorn's master), while it runs."""
        return self._process.pid if self.running else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> DaphneProcess:
        """Start the server and return once it answers HTTP requests."""
        if self.running:
            return self
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - the virtualenv's own server
                [
                    *server_command(
                        self.server, port=self.port, application=self.application, workers=self.workers
                    ),
                    *self.server_args,
                ],
                cwd=PROJECT_DIR,
                env=server_environment(self.database_url, self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_ready()
        return self

    def stop(self, timeout: float = 10, *, graceful: bool = True) -> None:
        """Stop the server: SIGTERM and wait (a few seconds), or at once with SIGKILL.

        ``graceful=False`` is also how a test simulates a crash.
        """
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if graceful:
            process.terminate()
            try:
                process.wait(timeout=timeout)
                return
            except subprocess.TimeoutExpired:
                pass
        process.kill()
        process.wait(timeout=timeout)

    def restart(self, *, graceful: bool = True) -> DaphneProcess:
        """Stop and start again on the same port: open WebSockets drop and may reconnect."""
        self.stop(graceful=graceful)
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.server} exited while starting on {self.url}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/", timeout=2):  # noqa: S310 - our own http URL
                    return
            except urllib.error.HTTPError:
                return  # it answered, even if not with 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"{self.server} did not answer on {self.url} within {self.startup_timeout} s:\n{self.log_tail()}"
        )

    def __enter__(self) -> DaphneProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# --- Talking to a running server as a person would ---------------------------


def signed_in_cookie(base_url: str, username: str) -> str:
    """Sign in through the login form; the Cookie header a browser would send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base_url}/accounts/login/")
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    opener.open(
        urllib.request.Request(f"{base_url}/accounts/login/", data=form, headers={"Referer": base_url})  # noqa: S310
    )
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "sign-in failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def first_post(base_url: str) -> tuple[str, int]:
    """The path and thread id of the first post on the blog index."""
    index = urllib.request.urlopen(f"{base_url}/blog/").read().decode()  # noqa: S310 - our own server
    path = re.search(r'<article[^>]*>.*?<a href="(/blog/[^"]+/)"', index, flags=re.DOTALL).group(1)
    html = urllib.request.urlopen(f"{base_url}{path}").read().decode()  # noqa: S310
    return path, int(re.search(r'data-thread="(\d+)"', html).group(1))


def thread_posts(base_url: str) -> list[tuple[str, int]]:
    """The path and thread id of every post on the blog index's first page, in its order.

    Tests that write to a thread take a post of their own, so that what one
    test posts never shows up in another's thread.
    """
    index = urllib.request.urlopen(f"{base_url}/blog/").read().decode()  # noqa: S310 - our own server
    paths = re.findall(r'<article[^>]*>.*?<a href="(/blog/[^"]+/)"', index, flags=re.DOTALL)
    posts = []
    for path in dict.fromkeys(paths):
        html = urllib.request.urlopen(f"{base_url}{path}").read().decode()  # noqa: S310
        posts.append((path, int(re.search(r'data-thread="(\d+)"', html).group(1))))
    return posts


def cookie_value(cookie: str, name: str) -> str:
    """One value of a Cookie header made by ``signed_in_cookie`` (e.g. the CSRF token)."""
    return dict(part.split("=", 1) for part in cookie.split("; "))[name]


# --- PostgreSQL databases of their own, for servers that tests start -----------


def _postgres_url(database_url: str, database: str) -> str:
    return urllib.parse.urlsplit(database_url)._replace(path=f"/{database}").geturl()


def postgres_database_name(database_url: str) -> str:
    return urllib.parse.urlsplit(database_url).path.lstrip("/")


def create_postgres_database(
    server_url: str, prefix: str = "pairwise_live", *, copy_of: str | None = None
) -> str:
    """A new database on the PostgreSQL server that ``server_url`` points at; its URL.

    Only the server of ``server_url`` is used (the database it names is left
    alone), so a test run's own ``DATABASE_URL`` can be passed. It is empty,
    to fill with ``prepare_demo_database``, or, with ``copy_of`` (a database
    URL on that server that nobody is connected to), a copy of that one, made
    by the server in a moment. Remove it with ``drop_postgres_database``.
    """
    import psycopg
    from psycopg import sql

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if copy_of is not None:
        template = sql.Identifier(postgres_database_name(copy_of))
        statement = sql.SQL("{} TEMPLATE {}").format(statement, template)
    with psycopg.connect(_postgres_url(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)
    return _postgres_url(server_url, name)


def drop_postgres_database(database_url: str) -> None:
    """Drop a database made by ``create_postgres_database``, ending any session still in it."""
    import psycopg
    from psycopg import sql

    name = postgres_database_name(database_url)
    with psycopg.connect(_postgres_url(database_url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def postgres_rows(database_url: str, query: str, params: Sequence[object] = ()) -> list[tuple]:
    """Run one read-only query in its own short connection; every row.

    Tests read the servers' database this way rather than through Django, so
    the test process keeps no connection of its own to it.
    """
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def postgres_sessions(database_url: str) -> int:
    """How many server sessions are connected to the database right now (``pg_stat_activity``).

    Asked from the ``postgres`` database, so the asking is not counted.
    """
    rows = postgres_rows(
        _postgres_url(database_url, "postgres"),
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
        [postgres_database_name(database_url)],
    )
    return rows[0][0]


# --- What a server process holds ------------------------------------------------


def resident_memory_kib(pid: int) -> int:
    """The process's resident set size (``VmRSS`` in ``/proc/<pid>/status``), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, flags=re.MULTILINE).group(1))


def open_connection_peers(pid: int, port: int) -> set[int]:
    """The client ports of the TCP connections to ``port`` that process ``pid`` still holds open.

    A connection the server has closed (or aborted) is no longer among its
    file descriptors, even while the kernel is still tearing it down.
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    peers = set()
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(local.rsplit(":", 1)[1], 16) == port:
                peers.add(int(remote.rsplit(":", 1)[1], 16))
    return peers


class RedisProcess:
    """A throwaway redis-server on 127.0.0.1, without persistence, to stop and start (fault tests, bench)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
