"""Background work of the blog: notifications by e-mail (``blog.notification_emails``).

Tasks take only JSON-serialisable arguments and are safe to run twice.
``notification_emails_send_due`` is periodic: the clock enqueues it every
minute (``BlogConfig.ready``).
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction

from django_tasks import task

from blog.notification_emails import notification_email_recipients_due, notification_emails_send

NOTIFICATION_EMAILS = "notification-emails"


@task()
def notification_emails_send_due() -> int:
    """Every minute: queue the e-mail of each person with a window of unseen notifications due."""
    recipient_ids = notification_email_recipients_due()
    for user_id in recipient_ids:
        transaction.on_commit(partial(notification_emails_send_to.enqueue, user_id=user_id))
    return len(recipient_ids)


@task()
def notification_emails_send_to(user_id: int) -> int:
    """Send one person the notification e-mails due to them; how many were sent."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    return notification_emails_send(user=user)
