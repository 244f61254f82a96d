"""The task backends: Django's tasks API, retried on failure, with Wagtail's own tasks run at once.

Tasks are written the standard way and need nothing from here::

    from django_tasks import task

    @task()
    def mention_email_send(*, comment_id: int) -> None: ...

    transaction.on_commit(lambda: mention_email_send.enqueue(comment_id=comment.pk))

``settings.TASKS`` (read from ``TASKS_BACKEND`` in site/settings/base.py)
names one of the backends below. Each differs from the library's own in two
ways only:

Retries. A task that raises is tried again, up to ``TASK_RETRY_ATTEMPTS``
tries in all, each after twice the wait of the one before (starting at
``TASK_RETRY_BACKOFF`` seconds). Neither django-tasks-db nor django-tasks-rq
retries, so the policy lives here, in ``RetryingTask.call``: the failed try is
recorded as failed, with its error, like any other, and a new result is
enqueued for the next try, with ``run_after`` set and the try's number in the
reserved keyword argument ``_attempt`` (shown in the admin with the other
arguments, taken out before the function is called). A task may ask for
another number of tries with ``@task(max_attempts=1)``. The immediate backend
cannot defer, so it never retries.

Because a task may run more than once (a retry after a half-done try, a
worker stopped mid-task), every task must be idempotent: pass ids, not
objects; read the state again when it runs; and make the effect conditional
on that state, in one transaction (publish only what is due and not yet
live; send only what no "sent" row records yet, and write that row with the
send).

Wagtail's tasks (search and reference index updates, focal points, deleting
files) enqueue on the default backend too. They are run at once, through the
``immediate`` alias, as they are on a Wagtail site with no worker: search and
the reference index are up to date when the request that changed a page
returns, whether or not a worker runs.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend as LibraryImmediateBackend
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_rq.backend import RQBackend as LibraryRQBackend

ATTEMPT_KWARG = "_attempt"
# Tasks defined by these packages run in the process that enqueues them.
IMMEDIATE_TASK_MODULES = ("wagtail.", "modelsearch.")
IMMEDIATE_ALIAS = "immediate"


def retry_delay(attempt: int) -> timedelta:
    """How long to wait before the try after try number ``attempt`` (1, 2, ...) failed."""
    return timedelta(seconds=settings.TASK_RETRY_BACKOFF * 2 ** (attempt - 1))


@dataclass(frozen=True, kw_only=True)
class RetryingTask(Task):
    """A task that, when it fails on a backend that can defer, enqueues its next try."""

    max_attempts: int | None = None
    """How many tries in all; ``None``: ``settings.TASK_RETRY_ATTEMPTS``."""

    def call(self, *args: Any, **kwargs: Any) -> Any:
        attempt = kwargs.pop(ATTEMPT_KWARG, 1)
        try:
            return super().call(*args, **kwargs)
        except Exception:
            attempts = settings.TASK_RETRY_ATTEMPTS if self.max_attempts is None else self.max_attempts
            if attempt < attempts and self.get_backend().supports_defer:
                # Task context (takes_context) is the worker's to give again, not an argument.
                arguments = args[1:] if self.takes_context else args
                self.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                    *arguments, **kwargs, **{ATTEMPT_KWARG: attempt + 1}
                )
            raise


class _SiteBackend:
    """What every backend of the site shares: retrying tasks, Wagtail's run at once."""

    task_class = RetryingTask

    def enqueue(self, task, args, kwargs):
        if task.module_path.startswith(IMMEDIATE_TASK_MODULES):
            return task_backends[IMMEDIATE_ALIAS].enqueue(task.using(backend=IMMEDIATE_ALIAS), args, kwargs)
        return super().enqueue(task, args, kwargs)

    async def aenqueue(self, task, args, kwargs):
        if task.module_path.startswith(IMMEDIATE_TASK_MODULES):
            return await task_backends[IMMEDIATE_ALIAS].aenqueue(
                task.using(backend=IMMEDIATE_ALIAS), args, kwargs
            )
        return await super().aenqueue(task, args, kwargs)


class DatabaseBackend(_SiteBackend, LibraryDatabaseBackend):
    """The queue is a table (django-tasks-db): SQLite on one machine, PostgreSQL when scaled."""


class RQBackend(_SiteBackend, LibraryRQBackend):
    """The queue is RQ on Redis (django-tasks-rq)."""


class ImmediateBackend(LibraryImmediateBackend):
    """Runs a task as it is enqueued; its tasks are ``RetryingTask`` too, so ``max_attempts`` is accepted."""

    task_class = RetryingTask
