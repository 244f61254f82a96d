"""Chat webhooks: what is announced to which hook, the message in each chat's format, the signed delivery.

Guarantees:

* Only what an anonymous reader may see is ever sent (the one rule,
  ``site.visibility``): a title and an absolute link from ``BASE_URL``,
  nothing anyone wrote. It is asked when an event is recorded and again when
  the delivery is sent; a page restricted or unpublished in between is
  recorded as skipped, and nothing goes out.
* Once per hook, event and subject: the delivery row is unique on them, so a
  page published again, or a periodic job run twice, records nothing new.
* Deliveries are queued after the transaction commits (``home.webhook_events``)
  and sent by the worker (``home.tasks.chat_webhook_deliver``), retried with the tasks' backoff
  (``site.tasks``); each try is counted on the row with its HTTP status and
  error. Delivery is at least once: a worker stopped after the chat answered
  sends again, with the same ``X-Pairwise-Delivery`` id for the receiver to
  recognise.
* Every body is signed: ``X-Pairwise-Signature: sha256=<hex>``, the
  HMAC-SHA256 with the hook's secret of ``<X-Pairwise-Timestamp>.`` followed
  by the exact body bytes.
"""

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wagtail.models import Page

from taggit.models import Tag

from blog.threads.models import Comment
from home.models import ChatWebhook, ChatWebhookDelivery
from learning.models import LessonPage, TopicRequestTag
from learning.selectors import STREAM_TYPES
from site.visibility import may_view, visible_pages

Event = ChatWebhookDelivery.Event
Status = ChatWebhookDelivery.Status

EVENT_FLAGS = {
    Event.PAGE_PUBLISHED: "on_page_published",
    Event.REQUEST_OPENED: "on_request_opened",
    Event.REQUEST_ANSWERED: "on_request_answered",
    Event.QUESTION_WAITING: "on_question_waiting",
}
QUESTION_WAITS = timedelta(days=1)
# A hook created today announces the questions of this last week, not every old one.
QUESTION_OLDEST_ANNOUNCED = timedelta(days=7)
SEND_TIMEOUT_SECONDS = 10
ERROR_KEPT_CHARACTERS = 500
USER_AGENT = "Pairwise-Webhooks/1"
SIGNATURE_HEADER = "X-Pairwise-Signature"
TIMESTAMP_HEADER = "X-Pairwise-Timestamp"
EVENT_HEADER = "X-Pairwise-Event"
DELIVERY_HEADER = "X-Pairwise-Delivery"
_TAG_THROUGHS = (*(through for _, through in STREAM_TYPES), TopicRequestTag)


class DeliveryFailed(Exception):
    """The chat did not take the delivery; the row records why (raised so the task is retried)."""


# --- which hooks hear of what ------------------------------------------------------------


def topic_ids_of(page_ids: Iterable[int]) -> dict[int, set[int]]:
    """The topics (tag ids) of each post, lesson and request among ``page_ids``: one query per kind."""
    page_ids = list(page_ids)
    topics: dict[int, set[int]] = {page_id: set() for page_id in page_ids}
    for through in _TAG_THROUGHS:
        rows = through.objects.filter(content_object_id__in=page_ids).values_list(
            "content_object_id", "tag_id"
        )
        for page_id, tag_id in rows:
            topics[page_id].add(tag_id)
    return topics


def hooks_for(event: str, *, topic_ids: set[int]) -> list[ChatWebhook]:
    """The active hooks that want ``event`` for a subject with these topics (site-wide hooks too)."""
    return list(
        ChatWebhook.objects.filter(
            Q(topic__isnull=True) | Q(topic_id__in=topic_ids), active=True, **{EVENT_FLAGS[event]: True}
        )
    )


def publicly_visible(page: Page | None) -> bool:
    return may_view(page, user=AnonymousUser())


def webhook_event_record(*, event: str, page: Page, subject_key: str | None = None) -> list[int]:
    """Record ``event`` about ``page`` for every hook that wants it; the ids of the deliveries to send.

    Nothing is recorded for a page an anonymous reader may not see, nor
    again for a subject already recorded for that hook and event. The caller
    queues the sends on commit (``home.webhook_events``).
    """
    # Most sites have no hook for most events: then nothing more is asked, not even the rule.
    if not ChatWebhook.objects.filter(active=True, **{EVENT_FLAGS[event]: True}).exists():
        return []
    if not publicly_visible(page):
        return []
    subject_key = subject_key or f"page:{page.pk}"
    hooks = hooks_for(event, topic_ids=topic_ids_of([page.pk])[page.pk])
    return _deliveries_create(event=event, page_id=page.pk, subject_key=subject_key, hooks=hooks)


def _deliveries_create(*, event: str, page_id: int, subject_key: str, hooks: list[ChatWebhook]) -> list[int]:
    created_ids = []
    with transaction.atomic():
        for hook in hooks:
            delivery, created = ChatWebhookDelivery.objects.get_or_create(
                hook=hook, event=event, subject_key=subject_key, defaults={"page_id": page_id}
            )
            if created:
                created_ids.append(delivery.pk)
    return created_ids


def questions_waiting_record(*, now: datetime | None = None) -> list[int]:
    """Record each open question on a public page that has waited more than a day, once per hook; the ids.

    A fixed number of queries: the hooks, the questions, the topics of their
    pages (one per kind of page), what is recorded already, then the new rows.
    """
    now = now or timezone.now()
    hooks = list(ChatWebhook.objects.filter(active=True, on_question_waiting=True))
    if not hooks:
        return []
    public = visible_pages(Page.objects.all(), user=AnonymousUser())
    questions = list(
        Comment.objects.filter(
            question=True,
            answer__isnull=True,
            deleted=False,
            hidden=False,
            created__lte=now - QUESTION_WAITS,
            created__gt=now - QUESTION_OLDEST_ANNOUNCED,
            page__in=public.values("pk"),
        ).values_list("pk", "page_id")
    )
    topics = topic_ids_of({page_id for _, page_id in questions})
    recorded = set(
        ChatWebhookDelivery.objects.filter(
            hook__in=hooks,
            event=Event.QUESTION_WAITING,
            subject_key__in=[f"comment:{pk}" for pk, _ in questions],
        ).values_list("hook_id", "subject_key")
    )
    created_ids = []
    for comment_id, page_id in questions:
        key = f"comment:{comment_id}"
        wanted = [
            hook
            for hook in hooks
            if (hook.topic_id is None or hook.topic_id in topics[page_id]) and (hook.pk, key) not in recorded
        ]
        created_ids += _deliveries_create(
            event=Event.QUESTION_WAITING, page_id=page_id, subject_key=key, hooks=wanted
        )
    return created_ids


# --- the message ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    """What a chat is told, in plain text: a sentence, the page's title, its absolute link."""

    heading: str
    title: str
    url: str
    topics: tuple[str, ...]


def absolute_url(page: Page) -> str:
    return urljoin(f"{settings.BASE_URL}/", page.get_url() or "/")


def announcement_for(delivery: ChatWebhookDelivery) -> Announcement | None:
    """What ``delivery`` says, read now; ``None`` when its page (or question) may no longer be announced."""
    page = Page.objects.filter(pk=delivery.page_id).first()
    if page is None or not publicly_visible(page):
        return None
    page = page.specific
    url = absolute_url(page)
    if delivery.event == Event.QUESTION_WAITING:
        comment_id = int(delivery.subject_key.removeprefix("comment:"))
        still_open = Comment.objects.filter(
            pk=comment_id, page=page, answer__isnull=True, deleted=False, hidden=False
        ).exists()
        if not still_open:
            return None
        heading, url = "A question has waited more than a day on", f"{url}#comment-{comment_id}"
    elif delivery.event == Event.PAGE_PUBLISHED:
        heading = "New lesson" if isinstance(page, LessonPage) else "New post"
    elif delivery.event == Event.REQUEST_OPENED:
        heading = "New topic request"
    else:
        heading = "Topic request answered"
    names = (
        Tag.objects.filter(pk__in=topic_ids_of([page.pk])[page.pk])
        .order_by("name")
        .values_list("name", flat=True)
    )
    return Announcement(heading=heading, title=page.title, url=url, topics=tuple(names))


def slack_escape(text: str) -> str:
    """Slack's mrkdwn control characters, as Slack asks them escaped (Mattermost and Rocket.Chat agree)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Characters that start markdown inline anywhere, and what starts a heading, list or quote at the front.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]~])")
_MARKDOWN_LEADING = re.compile(r"^(\s*)([#>+-]|\d+\.)")


def _escape_leading(match: re.Match) -> str:
    space, mark = match.groups()
    return f"{space}{mark[:-1]}\\." if mark.endswith(".") else f"{space}\\{mark}"


def markdown_escape(text: str) -> str:
    """Plain text for a Teams text block, whose markdown would otherwise read ``*x*`` or ``[x](y)``."""
    return _MARKDOWN_LEADING.sub(_escape_leading, _MARKDOWN_INLINE.sub(r"\\\1", text))


def slack_body(announcement: Announcement) -> dict:
    topics = f" ({slack_escape(', '.join(announcement.topics))})" if announcement.topics else ""
    text = (
        f"{slack_escape(announcement.heading)}: "
        f"<{slack_escape(announcement.url)}|{slack_escape(announcement.title)}>{topics}"
    )
    return {"text": text}


def teams_body(announcement: Announcement) -> dict:
    """A Teams message with one Adaptive Card (what Teams' workflow webhooks take)."""
    facts = [
        {"type": "TextBlock", "text": markdown_escape(announcement.heading), "weight": "Bolder", "wrap": True}
    ]
    facts.append({"type": "TextBlock", "text": markdown_escape(announcement.title), "wrap": True})
    if announcement.topics:
        facts.append(
            {
                "type": "TextBlock",
                "text": markdown_escape(", ".join(announcement.topics)),
                "isSubtle": True,
                "wrap": True,
            }
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": facts,
        "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": announcement.url}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def payload_bytes(hook_format: str, announcement: Announcement) -> bytes:
    body = teams_body(announcement) if hook_format == ChatWebhook.Format.TEAMS else slack_body(announcement)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with ``secret`` of ``timestamp``, a dot, and ``body``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# --- sending -------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to post to (it would turn the POST into a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body``; the HTTP status of a 2xx answer, else ``DeliveryFailed`` with what went wrong."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only
    try:
        with _opener.open(request, timeout=SEND_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        detail = error.read(ERROR_KEPT_CHARACTERS).decode("utf-8", "replace").strip()
        error.close()
        raise DeliveryFailed(f"HTTP {error.code} {error.reason}: {detail}".rstrip(": "), error.code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"could not reach the chat: {reason}", None) from None


def delivery_attempt(*, delivery_id: int, attempts_allowed: int) -> ChatWebhookDelivery | None:
    """Send one delivery once, recording the try; ``DeliveryFailed`` (after recording) if the chat refused.

    Idempotent for what is settled: a delivery sent, skipped or failed for
    good is not sent again. The row is ``failed`` once ``attempts_allowed``
    tries have failed, and stays ``pending`` while another try will come.
    """
    delivery = ChatWebhookDelivery.objects.select_related("hook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.PENDING:
        return delivery
    hook = delivery.hook
    announcement = announcement_for(delivery) if hook.active else None
    now = timezone.now()
    if announcement is None:
        delivery.status = Status.SKIPPED
        delivery.last_error = "" if hook.active else "The hook was made inactive."
        delivery.last_attempt_at = now
        delivery.save(update_fields=["status", "last_error", "last_attempt_at"])
        return delivery
    body = payload_bytes(hook.format, announcement)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret=hook.secret, timestamp=timestamp, body=body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        delivery.http_status = _post(hook.url, body=body, headers=headers)
    except DeliveryFailed as failure:
        error, delivery.http_status = failure.args
        delivery.last_error = error[:ERROR_KEPT_CHARACTERS]
        if delivery.attempts >= attempts_allowed:
            delivery.status = Status.FAILED
        delivery.save(update_fields=["status", "http_status", "attempts", "last_error", "last_attempt_at"])
        raise DeliveryFailed(error) from None
    delivery.status, delivery.last_error = Status.SENT, ""
    delivery.save(update_fields=["status", "http_status", "attempts", "last_error", "last_attempt_at"])
    return delivery
