"""The clock: enqueues each registered periodic job (site.scheduler) once per period.

Every worker runs a clock (``manage.py run_worker``); so may cron, every
minute, with ``manage.py run_clock --once``. However many tick at once, a
period is claimed by one of them: a conditional ``UPDATE`` of the job's
``PeriodicJobRun`` row that only the first can win, in the same transaction
as the enqueue (on the database backend the task's row commits with the
claim, or neither does). A clock enqueues; a worker runs the task, with the
retries every task gets.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import close_old_connections, transaction
from django.utils import timezone

from home.models import PeriodicJobRun
from site.scheduler import PeriodicJob, periodic_jobs

logger = logging.getLogger(__name__)

TICK_SECONDS = 15


def _job_row(name: str) -> PeriodicJobRun:
    row, _ = PeriodicJobRun.objects.get_or_create(name=name)
    return row


def period_claim(*, job: PeriodicJob, period: datetime) -> bool:
    """Whether this caller is the one to run ``job`` for ``period`` (no later period was claimed)."""
    _job_row(job.name)
    claimed = (
        PeriodicJobRun.objects.filter(name=job.name)
        .exclude(last_period__gte=period)
        .update(last_period=period)
    )
    return claimed == 1


def clock_tick(*, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose latest period is due and unclaimed; the names of those enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        period = job.latest_period(now)
        if job.catch_up is not None and now - period > job.catch_up:
            continue
        with transaction.atomic():
            if period_claim(job=job, period=period):
                job.task.enqueue()
                enqueued.append(job.name)
    if enqueued:
        logger.info("Periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued


@contextmanager
def periodic_job_lock(name: str) -> Iterator[None]:
    """One transaction holding the job's row locked: runs of one periodic task never overlap.

    On PostgreSQL a second run waits on the row lock; on SQLite every write
    transaction is already exclusive (``transaction_mode: IMMEDIATE``).
    """
    _job_row(name)
    with transaction.atomic():
        PeriodicJobRun.objects.select_for_update().get(name=name)
        yield


def clock_run(*, stop: threading.Event, interval: float = TICK_SECONDS) -> None:
    """Tick every ``interval`` seconds until ``stop`` is set; an error is logged, and the clock goes on."""
    while not stop.is_set():
        try:
            clock_tick()
        except Exception:
            logger.exception("The clock's tick failed; trying again in %s s", interval)
        finally:
            close_old_connections()
        stop.wait(interval)
