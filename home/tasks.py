"""The home app's background work: scheduled publishing, the task table kept small,
the weekly digest and review reminders (``home.digests``), chat webhooks (``home.webhooks``).

Tasks take only JSON-serialisable arguments and are safe to run twice. The
periodic ones are registered with the clock in ``HomeConfig.ready``.
"""

import datetime
import io
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from django_tasks import task

from home.clock import periodic_job_lock
from home.digests import (
    digest_recipient_ids,
    digest_send,
    iso_week,
    review_reminder_recipient_ids,
    review_reminder_send,
)
from home.webhooks import delivery_attempt, questions_waiting_record

PUBLISH_SCHEDULED = "publish-scheduled"
PRUNE_TASK_RESULTS = "prune-task-results"
WEEKLY_DIGEST = "weekly-digest"
REVIEW_REMINDERS = "review-reminders"
CHAT_QUESTIONS_WAITING = "chat-questions-waiting"
SUCCESSFUL_RESULTS_KEPT_DAYS = 14
FAILED_RESULTS_KEPT_DAYS = 30


@task()
def scheduled_publish() -> str:
    """Wagtail's ``publish_scheduled``: what is due goes live, what has expired is unpublished.

    Idempotent: the runs never overlap (the job's row lock), and each
    publishes only revisions still approved to go live and unpublishes only
    what is still live, so a second run finds nothing to do. Publishing sends
    Wagtail's ``page_published`` signal, which purges the page cache
    (site.page_cache) once the transaction commits; streams and feeds are read
    from the live pages.
    """
    output = io.StringIO()
    with periodic_job_lock(PUBLISH_SCHEDULED):
        call_command("publish_scheduled", stdout=output)
    return output.getvalue()


@task()
def task_results_prune() -> str:
    """Delete finished task results: successful ones after two weeks, failed ones after a month.

    Registered on the database backend only, which keeps every result (RQ
    expires its own). Idempotent: what is gone stays gone.
    """
    output = io.StringIO()
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=SUCCESSFUL_RESULTS_KEPT_DAYS,
        failed_min_age_days=FAILED_RESULTS_KEPT_DAYS,
        stdout=output,
    )
    return output.getvalue()


def _active(user_id: int):
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@task()
def digest_send_due() -> int:
    """Weekly: queue this week's digest for everyone who wants one (each is skipped if empty)."""
    week = iso_week(timezone.now())
    recipient_ids = digest_recipient_ids()
    for user_id in recipient_ids:
        transaction.on_commit(partial(digest_send_to.enqueue, user_id=user_id, week=week))
    return len(recipient_ids)


@task()
def digest_send_to(user_id: int, week: str) -> bool:
    """One person's digest for ``week`` (an ISO week, ``2026-W49``): sent at most once."""
    user = _active(user_id)
    return user is not None and digest_send(user=user, week=week)


@task()
def review_reminders_send() -> int:
    """Daily: queue a reminder for everyone who opted in and has a lesson due for review today."""
    today = timezone.localdate()
    recipient_ids = review_reminder_recipient_ids(today=today)
    for user_id in recipient_ids:
        transaction.on_commit(
            partial(review_reminder_send_to.enqueue, user_id=user_id, day=today.isoformat())
        )
    return len(recipient_ids)


@task()
def review_reminder_send_to(user_id: int, day: str) -> bool:
    """One person's reminder for ``day`` (``2026-12-02``): sent at most once."""
    user = _active(user_id)
    return user is not None and review_reminder_send(user=user, today=datetime.date.fromisoformat(day))


@task()
def chat_webhook_deliver(delivery_id: int) -> str:
    """Send one chat webhook delivery; a refusal raises, so the task is retried with backoff.

    The row counts the tries: on the last one the task may have (or on a
    backend that cannot defer a retry) the delivery is recorded as failed.
    Idempotent: a delivery settled already is not sent again.
    """
    task = chat_webhook_deliver
    allowed = settings.TASK_RETRY_ATTEMPTS if task.max_attempts is None else task.max_attempts
    if not task.get_backend().supports_defer:
        allowed = 1
    delivery = delivery_attempt(delivery_id=delivery_id, attempts_allowed=allowed)
    return "gone" if delivery is None else delivery.status


def chat_webhook_deliveries_queue(delivery_ids: list[int]) -> None:
    """Send each of these deliveries from the worker, once the transaction that recorded them commits."""
    for delivery_id in delivery_ids:
        transaction.on_commit(partial(chat_webhook_deliver.enqueue, delivery_id=delivery_id))


@task()
def chat_questions_waiting_send() -> int:
    """Hourly: queue, once per hook, each public question that has waited more than a day."""
    delivery_ids = questions_waiting_record()
    chat_webhook_deliveries_queue(delivery_ids)
    return len(delivery_ids)
