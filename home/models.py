"""The home page, the clock's periodic job rows, and the chat webhooks with their delivery log."""

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from home.selectors import home_sections
from site.visibility import VisibilityRuleMixin


class HomePage(VisibilityRuleMixin, Page):
    intro = models.TextField(blank=True, help_text="A sentence or two welcoming people to the site.")

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(home_sections(user=request.user))
        return context


class PeriodicJobRun(models.Model):
    """The latest period a periodic job was enqueued for (``home.clock``); one row per job.

    Claiming a period is one conditional ``UPDATE`` of this row, so however
    many clocks tick at once, one of them enqueues the job for that period.
    The row is also the lock a periodic task may hold while it runs
    (``home.clock.periodic_job_lock``).
    """

    name = models.CharField(max_length=100, unique=True)
    last_period = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name


def webhook_secret_new() -> str:
    """A fresh signing secret: 32 random bytes, URL-safe (what an editor copies into the receiver)."""
    return secrets.token_urlsafe(32)


WEBHOOK_URL_REFUSED = "Enter an http:// or https:// address."


def _http_or_https(value: str) -> None:
    if urlsplit(value).scheme.lower() not in ("http", "https"):
        raise ValidationError(WEBHOOK_URL_REFUSED, code="invalid")


class ChatWebhook(models.Model):
    """An outgoing webhook to a team chat: which events of which topic (or all) it is told about.

    Editors configure it in the admin (``home.webhook_admin``); deliveries are
    made by the worker (``home.webhooks``) and signed with ``secret``.
    """

    class Format(models.TextChoices):
        SLACK = "slack", "Slack-compatible (Slack, Mattermost, Rocket.Chat)"
        TEAMS = "teams", "Microsoft Teams (Adaptive Card)"

    name = models.CharField(max_length=100, help_text="For editors: which channel this is.")
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[_http_or_https],
        help_text="The chat's incoming-webhook address (http or https).",
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.SLACK)
    topic = models.ForeignKey(
        "taggit.Tag",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only events on this topic; empty: every topic (site-wide).",
    )
    on_page_published = models.BooleanField("a post or lesson is published", default=True)
    on_request_opened = models.BooleanField("a topic request is opened", default=True)
    on_request_answered = models.BooleanField("a topic request is answered", default=True)
    on_question_waiting = models.BooleanField("a question has waited more than a day", default=False)
    active = models.BooleanField(default=True, help_text="Inactive hooks are sent nothing.")
    secret = models.CharField(
        max_length=64,
        default=webhook_secret_new,
        editable=False,
        help_text="Signs every delivery (HMAC-SHA256); give it to the receiver to verify.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ChatWebhookDelivery(models.Model):
    """One event sent (or to be sent) to one hook: the delivery log, and what keeps it sent once.

    One row per hook, event and subject (``subject_key``): an event recorded
    twice (a job run again, a page published again) is not sent twice.
    """

    class Event(models.TextChoices):
        PAGE_PUBLISHED = "page_published", "Post or lesson published"
        REQUEST_OPENED = "request_opened", "Request opened"
        REQUEST_ANSWERED = "request_answered", "Request answered"
        QUESTION_WAITING = "question_waiting", "Question waiting"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (not public)"

    hook = models.ForeignKey(ChatWebhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=Event.choices)
    subject_key = models.CharField(max_length=40, help_text="What the event is about: page:12, comment:34.")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "chat webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["hook", "event", "subject_key"], name="webhook_delivery_once_per_subject"
            )
        ]
        indexes = [models.Index(fields=["hook", "-created"], name="webhook_delivery_latest")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.hook_id} ({self.status})"
