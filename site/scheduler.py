"""Periodic jobs: which task to enqueue on which cron schedule, registered by the apps.

An app registers its periodic jobs when it is ready (``AppConfig.ready``)::

    from site.scheduler import register_periodic_job

    def ready(self):
        from blog.tasks import weekly_digest_send

        register_periodic_job("weekly-digest", task=weekly_digest_send, cron="0 7 * * 1")

The clock (``home.clock``, run by every worker and by ``manage.py run_clock``)
enqueues each job's task once per period of its schedule, however many clocks
run: the period is claimed in the database first. A period is run late when
no clock saw it in time (workers stopped), if it is not older than the job's
``catch_up`` (``None``: however old); only the latest period is ever run, never a backlog. Schedules
are in UTC. The task is enqueued without arguments, and must be idempotent
like every task (site/tasks.py).

No library does this here: django-crontask and django-periodic-tasks need a
newer Python than the site supports, and RQ's own scheduler would not serve
the database backend.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter

_jobs: dict[str, "PeriodicJob"] = {}


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django_tasks Task taking no arguments
    cron: str  # five fields, UTC: "* * * * *" every minute, "0 7 * * 1" Mondays at 07:00
    catch_up: timedelta | None  # how late a period may still run; None: however late

    def latest_period(self, now: datetime) -> datetime:
        """The start of the latest period at or before ``now``: the schedule's last time to run."""
        # croniter's get_prev is strictly before its start; a second later includes ``now`` itself.
        start = now.replace(microsecond=0) + timedelta(seconds=1)
        return croniter(self.cron, start).get_prev(datetime)


def register_periodic_job(
    name: str, *, task: object, cron: str, catch_up: timedelta | None = timedelta(hours=1)
) -> PeriodicJob:
    """Enqueue ``task`` once per period of ``cron``; registering a name again replaces its job."""
    if not croniter.is_valid(cron):
        raise ValueError(f"not a cron schedule: {cron!r}")
    if len(name) > 100:
        raise ValueError("a periodic job's name has at most 100 characters")
    job = PeriodicJob(name=name, task=task, cron=cron, catch_up=catch_up)
    _jobs[name] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())
