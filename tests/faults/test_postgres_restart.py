"""PostgreSQL restarts under an open thread: refused, not half-saved, and working again after.

This stops the run's real PostgreSQL cluster (``pg_ctlcluster``), so it needs
to run as root (or the cluster's owner); it skips loudly otherwise, and fails
in CI. The test process's own database connections die with the cluster too:
they are closed afterwards so that later tests connect afresh.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.faults.test_abuse import frame_of_type
from tests.faults.thread_clients import answer_to, comment_create, open_thread
from tests.live_server import DaphneProcess, cookie_value, postgres_rows, signed_in_cookie, thread_posts

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.postgres]


class PostgresCluster:
    """The machine's PostgreSQL cluster (Debian's ``pg_ctlcluster``), stopped and started by a test."""

    def __init__(self) -> None:
        versions = sorted(Path("/etc/postgresql").glob("*/main"))
        self.version = versions[-1].parent.name if versions else None

    def usable(self) -> str | None:
        """Why this process cannot stop and start the cluster, or None when it can."""
        if shutil.which("pg_ctlcluster") is None or self.version is None:
            return "needs Debian's pg_ctlcluster and a cluster under /etc/postgresql to restart PostgreSQL"
        if os.geteuid() != 0:
            return "needs to run as root to stop and start the PostgreSQL cluster"
        return None

    def _ctl(self, action: str, *options: str) -> None:
        subprocess.run(  # noqa: S603 - Debian's own cluster tool
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action, *options],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=120,
        )

    def ready(self) -> bool:
        result = subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"],  # noqa: S607
            check=False,
            timeout=10,
        )
        return result.returncode == 0

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        if not self.ready():
            self._ctl("start")
        deadline = time.monotonic() + 60
        while not self.ready():
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not come back within 60 s")
            time.sleep(0.2)


def close_own_connections() -> None:
    """Drop this process's Django connections and pools: they died with the cluster.

    Connections are per thread: the main thread's, and that of asgiref's one
    thread that runs the sync code of async tests (see ``tests/conftest.py``).
    The pools are per process; the next query opens new ones.
    """
    from django.db import connections

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    connections.close_all()
    for connection in connections.all(initialized_only=True):
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()


@pytest.fixture
def cluster(postgres_demo_database_url: str) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    if reason := cluster.usable():
        skip_or_fail(reason)
    try:
        yield cluster
    finally:
        cluster.start()
        close_own_connections()


RECOVERY_ATTEMPTS = 10


async def post_until_saved(socket, client_id: str) -> tuple[dict, int]:
    """Send ``comment.create`` until it is saved (or refused otherwise): the answer and the tries."""
    for attempt in range(1, RECOVERY_ATTEMPTS + 1):
        await socket.send(comment_create(client_id))
        answer = await answer_to(socket, client_id)
        if answer["type"] != "error" or answer["code"] != "unavailable":
            return answer, attempt
        await asyncio.sleep(1)
    return answer, attempt


def api_call(base_url: str, page_id: int, cookie: str, client_id: str | None = None) -> tuple[int, dict]:
    """The thread's HTTP API as the page's script calls it: POST a comment with ``client_id``,
    or GET the comments without; the status and the JSON answer."""
    headers = {"Cookie": cookie, "Origin": base_url, "Referer": f"{base_url}/"}
    data = None
    if client_id is not None:
        comment = {"body": f"Comment {client_id}", "parent": None, "client_id": client_id}
        data = json.dumps(comment).encode()
        headers |= {"X-CSRFToken": cookie_value(cookie, "csrftoken"), "Content-Type": "application/json"}
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base_url}/api/threads/{page_id}/comments/", data=data, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"raw": body.decode(errors="replace")[:2000]}


async def test_posts_during_a_postgres_restart_are_refused_then_posting_works_again(
    cluster: PostgresCluster, postgres_demo_database_url: str
):
    server = DaphneProcess(
        postgres_demo_database_url, env={"REDIS_URL": None, "COMMENT_RATE_LIMIT": "100000"}
    ).start()
    try:
        _, page_id = thread_posts(server.url)[2]
        cookie = signed_in_cookie(server.url, "sam")
        async with open_thread(server.url, page_id, cookie) as socket:
            await frame_of_type(socket, "thread.snapshot")
            await socket.send(comment_create("pg-before"))
            before = await answer_to(socket, "pg-before")

            cluster.stop()
            try:
                # Two comments on the socket and one over HTTP, all while the database is down.
                for client_id in ("pg-down-ws-1", "pg-down-ws-2"):
                    await socket.send(comment_create(client_id))
                http_down = asyncio.gather(
                    asyncio.to_thread(api_call, server.url, page_id, cookie, "pg-down-http"),
                    asyncio.to_thread(api_call, server.url, page_id, cookie),
                )
                down = [await answer_to(socket, cid, 90) for cid in ("pg-down-ws-1", "pg-down-ws-2")]
                http_post_down, http_get_down = await http_down
            finally:
                cluster.start()

            # Nothing of what was refused reached the database, and the counter agrees.
            saved_during_outage = postgres_rows(
                postgres_demo_database_url,
                "SELECT client_id FROM blog_comment WHERE page_id = %s AND client_id LIKE 'pg-down-%%'",
                [page_id],
            )
            total, counted = postgres_rows(
                postgres_demo_database_url,
                """SELECT (SELECT count(*) FROM blog_comment WHERE page_id = %s),
                          (SELECT comment_count FROM blog_thread WHERE page_id = %s)""",
                [page_id, page_id],
            )[0]

            # The same socket posts again, as a client does after "unavailable":
            # the same client_id, once a second, until it is saved.
            after, attempts = await post_until_saved(socket, "pg-after-ws")
            await socket.send(comment_create("pg-down-ws-1"))
            retried = await answer_to(socket, "pg-down-ws-1")
        http_after = api_call(server.url, page_id, cookie, "pg-after-http")
        http_retried = api_call(server.url, page_id, cookie, "pg-down-http")
        log = server.log_tail(2000)
    finally:
        server.stop(graceful=False)

    assert before["type"] == "comment.created"
    for client_id, answer in zip(("pg-down-ws-1", "pg-down-ws-2"), down, strict=True):
        assert answer["type"] == "error", answer
        assert answer["code"] == "unavailable", answer
        assert answer["client_id"] == client_id
    for status, answer in (http_post_down, http_get_down):
        assert (status, answer.get("error", {}).get("code")) == (503, "unavailable"), (status, answer)
    assert saved_during_outage == []
    assert total == counted

    assert after["type"] == "comment.created", after
    # The pool gives up reconnecting after 5 s and starts afresh on the next
    # request, so the database is in use again within seconds of its return.
    assert attempts <= RECOVERY_ATTEMPTS, attempts
    assert retried["type"] == "comment.created", retried
    assert http_after[0] == 201, http_after
    # 201, not 200: the refused HTTP comment had not been saved, so the retry creates it.
    assert http_retried[0] == 201, http_retried
    assert "connection already closed" not in log, log
    assert "InterfaceError" not in log, log
    # No request of the whole run answered 500 (daphne's access log: '"POST /api/..." 503 ...').
    assert not re.search(r'" 500 ', log), log
