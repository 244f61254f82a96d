"""E-mail: what each person wants to hear about, and a record of every message sent.

A person without a saved ``EmailPreferences`` row has the defaults: the
notifications that are about them (mentions, replies, questions for them,
answers to theirs, their requests and pairs) on, comments on their pair's
posts off, the weekly digest on, review reminders off (they opt in).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from blog.threads.models import Notification

Kind = Notification.Kind


class EmailPreferences(models.Model):
    class Digest(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    mentions = models.BooleanField("when someone mentions you", default=True)
    replies = models.BooleanField("when someone replies to you", default=True)
    questions = models.BooleanField("when someone asks your pair a question", default=True)
    answers = models.BooleanField("when your question is answered", default=True)
    notices = models.BooleanField(
        "when your request is claimed or answered, or you are paired with someone", default=True
    )
    pair_post_comments = models.BooleanField("when someone comments on your pair's post", default=False)
    digest = models.CharField("digest", max_length=10, choices=Digest.choices, default=Digest.WEEKLY)
    review_reminders = models.BooleanField(
        "on the day a lesson is due for review", default=False, help_text="It is in the digest as well."
    )
    # Bookkeeping of the notification e-mails: every notification made before
    # this moment has been dealt with (sent in a message, or found seen,
    # switched off or out of sight). Rows are locked while a message is sent.
    notifications_mailed_until = models.DateTimeField(null=True, blank=True, editable=False)
    updated = models.DateTimeField(default=timezone.now)

    # The field that switches each kind of notification on or off.
    KIND_FIELDS = {
        Kind.MENTION: "mentions",
        Kind.REPLY: "replies",
        Kind.QUESTION: "questions",
        Kind.ANSWERED: "answers",
        Kind.NOTICE: "notices",
        Kind.PAIR_POST_COMMENT: "pair_post_comments",
    }

    class Meta:
        verbose_name_plural = "e-mail preferences"

    def __str__(self) -> str:
        return f"E-mail preferences of user {self.user_id}"

    def kinds_on(self) -> set[str]:
        """The notification kinds this person wants by e-mail."""
        return {kind for kind, field in self.KIND_FIELDS.items() if getattr(self, field)}


class SentEmail(models.Model):
    """One message sent to one person; its ``key`` says which, so a retried task sends it once.

    Keys: ``notifications:<first notification id>``, ``digest:<ISO week>``,
    ``reminder:<day>``.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    subject = models.CharField(max_length=200)
    sent = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="sent_email_once_per_key")]

    def __str__(self) -> str:
        return f"{self.key} to user {self.recipient_id}"
