"""Background work done by real worker processes (``manage.py run_worker``), as ``make run`` runs it.

Each test has a fresh copy of the demo database (SQLite) that the worker
and the ``manage.py shell`` steps share, the way a site and its worker share
one. On Redis (``TASKS_BACKEND=rq``) the queue is a Redis database of its
own, emptied first.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

from django.conf import settings

import pytest
from aiosmtpd.controller import Controller

from tests.live_server import (
    PROJECT_DIR,
    create_postgres_database,
    demo_database,
    drop_postgres_database,
    manage,
    server_environment,
)
from tests.mail_server import Inbox, free_port

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

WORKER_TIMEOUT = 120


@pytest.fixture
def postgres_worker_database_url(postgres_demo_database_url: str) -> Iterator[str]:
    """A copy of the run's PostgreSQL demo database, the test's own.

    The workers change it, and a periodic job is run once per period per
    database: a database shared with an earlier test would have this minute's
    run of it claimed already.
    """
    url = create_postgres_database(
        settings.DATABASE_URL, prefix="pairwise_worker", copy_of=postgres_demo_database_url
    )
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def database_url() -> Iterator[str]:
    with demo_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def any_database_url(request) -> str:
    """The test on a SQLite copy of the demo, and again on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("database_url")
    return request.getfixturevalue("postgres_worker_database_url")


def shell(code: str, *, database_url: str, env: dict | None = None) -> dict:
    """Run ``code`` in ``manage.py shell`` on the database; the JSON it prints last."""
    output = manage("shell", "--no-imports", "-c", code, database_url=database_url, env=env)
    return json.loads(output.strip().splitlines()[-1])


def worker_batch(*, database_url: str, env: dict | None = None, clock: bool = True) -> str:
    """One worker that ticks the clock once, runs every task that is ready, and exits."""
    args = ["run_worker", "--batch", *([] if clock else ["--no-clock"])]
    return manage(*args, database_url=database_url, env=env, timeout=WORKER_TIMEOUT)


SCHEDULE_A_POST = """
import json, time
from datetime import timedelta
from django.utils import timezone
from blog.models import BlogPostPage
post = BlogPostPage.objects.live().order_by("pk").first()
post.unpublish()
post = BlogPostPage.objects.get(pk=post.pk)
post.go_live_at = timezone.now() + timedelta(seconds=2)
post.save_revision().publish()
time.sleep(2.5)
post.refresh_from_db()
print(json.dumps({"id": post.pk, "live": post.live}))
"""


def post_state(page_id: int, *, database_url: str, env: dict | None = None) -> dict:
    code = f"""
import json
from blog.models import BlogPostPage
from django_tasks_db.models import DBTaskResult
post = BlogPostPage.objects.get(pk={page_id})
runs = DBTaskResult.objects.filter(task_path="home.tasks.scheduled_publish")
print(json.dumps({{
    "live": post.live,
    "scheduled": post.get_latest_revision().approved_go_live_at is not None,
    "runs": [r.status for r in runs],
}}))
"""
    return shell(code, database_url=database_url, env=env)


def test_a_worker_beside_the_site_publishes_a_scheduled_post_and_stops_on_a_signal(
    any_database_url, tmp_path
):
    database_url = any_database_url
    scheduled = shell(SCHEDULE_A_POST, database_url=database_url)
    assert scheduled["live"] is False  # scheduled, not published: nothing else would publish it

    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 - the virtualenv's own manage.py
            [sys.executable, str(PROJECT_DIR / "manage.py"), "run_worker"],
            cwd=PROJECT_DIR,
            env=server_environment(database_url),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT
        while (state := post_state(scheduled["id"], database_url=database_url))["live"] is False:
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, (
                f"not published by the worker: {state}\n{log.read_text()[-3000:]}"
            )
            time.sleep(1)
        assert state["scheduled"] is False
        assert state["runs"][-1] == "SUCCESSFUL"
    finally:
        # What one Ctrl+C does to `make run`: the worker finishes what it runs, then exits.
        worker.send_signal(signal.SIGINT)
        try:
            code = worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            raise
    assert code == 0, log.read_text()[-3000:]


def test_two_workers_at_once_run_the_periodic_job_once(database_url):
    scheduled = shell(SCHEDULE_A_POST, database_url=database_url)
    command = [sys.executable, str(PROJECT_DIR / "manage.py"), "run_worker", "--batch"]
    workers = [
        subprocess.Popen(  # noqa: S603 - the virtualenv's own manage.py
            command,
            cwd=PROJECT_DIR,
            env=server_environment(database_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=WORKER_TIMEOUT)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    state = post_state(scheduled["id"], database_url=database_url)
    assert state == {"live": True, "scheduled": False, "runs": ["SUCCESSFUL"]}


ENQUEUE_FAILS_ONCE = """
import json
from tests.faults.worker_tasks import fails_once
result = fails_once.enqueue(marker={marker!r})
print(json.dumps({{"id": result.id}}))
"""

TASK_RESULTS = """
import json
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.filter(task_path="tests.faults.worker_tasks.fails_once").order_by("enqueued_at")
print(json.dumps([
    {"status": r.status, "attempt": r.args_kwargs["kwargs"].get("_attempt", 1),
     "error": (r.exception_class_path, r.traceback.splitlines()[-1] if r.traceback else "")}
    for r in rows
]))
"""


def test_a_failing_task_is_retried_by_the_worker_and_its_failure_kept(database_url, tmp_path):
    env = {"TASK_RETRY_BACKOFF": "0"}
    marker = tmp_path / "fails-once"
    shell(ENQUEUE_FAILS_ONCE.format(marker=str(marker)), database_url=database_url, env=env)

    worker_batch(database_url=database_url, env=env, clock=False)

    assert (tmp_path / "fails-once.done").exists()
    results = shell(TASK_RESULTS, database_url=database_url, env=env)
    assert results == [
        {
            "status": "FAILED",
            "attempt": 1,
            "error": ["builtins.RuntimeError", "RuntimeError: the first try fails on purpose"],
        },
        {"status": "SUCCESSFUL", "attempt": 2, "error": ["", ""]},
    ]


def test_a_task_that_keeps_failing_is_tried_as_often_as_configured_then_left_failed(database_url):
    env = {"TASK_RETRY_BACKOFF": "0", "TASK_RETRY_ATTEMPTS": "2"}
    shell(
        "import json\nfrom tests.faults.worker_tasks import always_fails\n"
        "print(json.dumps({'id': always_fails.enqueue().id}))",
        database_url=database_url,
        env=env,
    )
    worker_batch(database_url=database_url, env=env, clock=False)
    worker_batch(database_url=database_url, env=env, clock=False)  # nothing is left to try

    results = shell(TASK_RESULTS.replace("fails_once", "always_fails"), database_url=database_url, env=env)
    assert [(r["status"], r["attempt"]) for r in results] == [("FAILED", 1), ("FAILED", 2)]
    assert results[-1]["error"] == ["builtins.RuntimeError", "RuntimeError: this task always fails"]


def test_a_mention_left_unseen_is_emailed_by_the_worker(any_database_url):
    database_url = any_database_url
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "EMAIL_NOTIFICATION_DELAY": "1"}
    try:
        mentioned = shell(
            """
import json
from django.contrib.auth import get_user_model
from blog.models import BlogPostPage
from blog.threads.services import comment_create
users = get_user_model().objects
post = BlogPostPage.objects.live().order_by("pk").first()
comment_create(page=post, user=users.get(username="priya"), body="@sam the worker test <b>says</b> hello",
               client_id="worker-test-mention")
print(json.dumps({"title": post.title, "email": users.get(username="sam").email}))
""",
            database_url=database_url,
            env=env,
        )
        worker_batch(database_url=database_url, env=env)
    finally:
        smtp.stop()

    to_sam = inbox.to(mentioned["email"])
    assert to_sam, [m["To"] for m in inbox.messages]
    mentions = [m for m in to_sam if "the worker test" in m.get_body(("plain",)).get_content()]
    assert len(mentions) == 1
    html = mentions[0].get_body(("html",)).get_content()
    assert mentioned["title"] in html
    assert "<b>says</b>" not in html  # what a person wrote is never markup in an e-mail
    assert mentions[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.fixture
def rq_env(requires_redis) -> dict:
    """A Redis database of its own for the queue, emptied first."""
    import redis

    url = settings.REDIS_URL.rsplit("/", 1)[0] + "/7"
    redis.Redis.from_url(url).flushdb()
    return {"TASKS_BACKEND": "rq", "REDIS_URL": url, "TASK_RETRY_BACKOFF": "0"}


def test_on_redis_a_worker_publishes_and_retries(database_url, rq_env, tmp_path):
    scheduled = shell(SCHEDULE_A_POST, database_url=database_url, env=rq_env)
    marker = tmp_path / "fails-once"
    first = shell(ENQUEUE_FAILS_ONCE.format(marker=str(marker)), database_url=database_url, env=rq_env)

    worker_batch(database_url=database_url, env=rq_env)
    assert marker.exists()
    assert shell(
        f"""
import json
from blog.models import BlogPostPage
from tests.faults.worker_tasks import fails_once
print(json.dumps({{"live": BlogPostPage.objects.get(pk={scheduled["id"]}).live,
                   "first": fails_once.get_result({first["id"]!r}).status}}))
""",
        database_url=database_url,
        env=rq_env,
    ) == {"live": True, "first": "FAILED"}

    # The retry waits in RQ's schedule; the next worker run takes it.
    worker_batch(database_url=database_url, env=rq_env, clock=False)
    assert (tmp_path / "fails-once.done").exists()
