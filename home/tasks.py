"""Background work of the home app: the weekly digest and review reminders (``home.digests``).

Tasks take only JSON-serialisable arguments and are safe to run twice.
Periodic: ``digest_send_due`` once a week (say Monday 07:00), and
``review_reminders_send`` once a day (say 07:00).
"""

import datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from django_tasks import task

from home.digests import (
    digest_recipient_ids,
    digest_send,
    iso_week,
    review_reminder_recipient_ids,
    review_reminder_send,
)


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
