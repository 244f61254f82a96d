"""Notifications by e-mail, for what people did not see on the site.

A notification is e-mailed when its person has not seen it on the site
(the notifications list marks read what it shows, and "Mark all as read" the
rest) ``EMAIL_NOTIFICATION_DELAY`` seconds after it was made. The first such
notification opens a window of that length; everything else of theirs made
in the window joins the same message: one message per person per window.

Guarantees:

* Decided at send time: only unread notifications, of the kinds the person
  wants by e-mail, about pages they may still see (the one rule, through
  ``visible_notifications``), whose comment is still there (not deleted, not
  hidden) are sent.
* Idempotent: the person's preferences row is locked, the message recorded
  (``SentEmail``) and ``notifications_mailed_until`` moved past the window
  in the transaction that sends it; a failure to send rolls all of it back,
  and the next run sends it. Running twice sends once.
* No old news: notifications more than ``MAX_AGE`` past the delay are never
  e-mailed, so a worker that was stopped for long floods nobody.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from blog.emails import absolute_url, email_preferences_locked, email_send
from blog.threads.models import Notification
from blog.threads.selectors import NotificationEntry, notification_entries, visible_notifications

MAX_AGE = datetime.timedelta(days=1)
# A message lists this many notifications at most, and says how many more are on the site.
MAX_LISTED = 20


@dataclass(frozen=True)
class MailedNotification:
    text: str
    url: str
    excerpt: str
    created: datetime.datetime


def _delay() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.EMAIL_NOTIFICATION_DELAY)


def notification_email_recipients_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The people who may have a window of unseen notifications due now (one query).

    Only a first sieve: ``notification_emails_send`` decides, per person, what
    is sent. People without an e-mail address, or inactive, are left out.
    """
    now = now or timezone.now()
    due = now - _delay()
    mailed_until = "recipient__email_preferences__notifications_mailed_until"
    rows = (
        Notification.objects.filter(
            read__isnull=True, created__gte=due - MAX_AGE, created__lte=due, recipient__is_active=True
        )
        .exclude(recipient__email="")
        .filter(Q(**{f"{mailed_until}__isnull": True}) | Q(created__gte=F(mailed_until)))
        .values_list("recipient_id", flat=True)
        .order_by("recipient_id")
        .distinct()
    )
    return list(rows)


def notification_emails_send(*, user, now: datetime.datetime | None = None) -> int:
    """Send ``user`` every window of unseen notifications that is due; how many messages were sent."""
    now = now or timezone.now()
    sent = 0
    while _send_next_window(user, now=now):
        sent += 1
    return sent


def _send_next_window(user, *, now: datetime.datetime) -> bool:
    """Send the oldest due window, in one transaction; False when none is due."""
    with transaction.atomic():
        preferences = email_preferences_locked(user)
        delay = _delay()
        since = now - delay - MAX_AGE
        if preferences.notifications_mailed_until is not None:
            since = max(since, preferences.notifications_mailed_until)
        candidates = list(
            visible_notifications(user=user)
            .filter(read__isnull=True, created__gte=since, kind__in=preferences.kinds_on())
            .filter(Q(comment__isnull=True) | Q(comment__deleted=False, comment__hidden=False))
            .select_related("comment")
            .order_by("created", "id")
        )
        if not candidates or candidates[0].created > now - delay:
            if not candidates:  # what there is (seen, switched off, out of sight) is dealt with
                _mailed_until(preferences, now - delay)
            return False
        window_end = candidates[0].created + delay
        in_window = [notification for notification in candidates if notification.created < window_end]
        _mailed_until(preferences, window_end)
        email_send(
            user=user,
            key=f"notifications:{in_window[0].pk}",
            scope="notifications",
            subject=_subject(in_window),
            template="blog/email/notifications",
            context={
                "notifications": [_mailed(entry) for entry in notification_entries(in_window[:MAX_LISTED])],
                "more": max(len(in_window) - MAX_LISTED, 0),
                "notifications_url": absolute_url(reverse("notification_index")),
            },
        )
        return True


def _mailed_until(preferences, moment: datetime.datetime) -> None:
    if preferences.notifications_mailed_until is None or moment > preferences.notifications_mailed_until:
        preferences.notifications_mailed_until = moment
        preferences.save(update_fields=["notifications_mailed_until"])


def _subject(notifications: list[Notification]) -> str:
    first = notifications[0].text
    if len(notifications) == 1:
        return first
    return f"{first}, and {len(notifications) - 1} more"


def _mailed(entry: NotificationEntry) -> MailedNotification:
    notification = entry.notification
    return MailedNotification(
        text=notification.text,
        url=absolute_url(notification.url or reverse("notification_index")),
        excerpt=entry.excerpt,
        created=notification.created,
    )
