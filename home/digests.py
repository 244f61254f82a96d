"""The weekly digest and review reminders: what each person may have missed, by e-mail.

A digest is about the week before it is sent:

* new posts and lessons on the topics and by the pairs the person follows
  (their stream, ``learning.selectors.personal_stream``);
* requests asked that week and still open, and questions asked that week
  and still unanswered, on topics they can teach (not their own);
* lessons due for review.

It is not sent when all of these are empty. A review reminder, for those
who opt in, names the lessons due for review that day.

Guarantees: everything is read through selectors that apply the one rule
(``site.visibility``), at send time, in a fixed number of queries per person.
A digest is sent once per person per ISO week and a reminder once per person
per day (``blog.emails.email_send`` records the key), so a task run twice
sends once.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from blog.emails import absolute_url, email_preferences_for, email_send
from blog.models import EmailPreferences, ProfileTeaches
from blog.threads.models import Comment
from blog.threads.rendering import body_excerpt
from learning.models import TopicRequestPage
from learning.models.progress import ReviewSchedule
from learning.models.votes import requests_for_listing
from learning.questions import open_questions
from learning.selectors import STREAM_TYPES, StreamEntry, due_reviews, personal_stream

DIGEST_DAYS = 7
# Each section lists this many at most, newest (or most overdue) first.
SECTION_SIZE = 10
EXCERPT_LENGTH = 140


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Digest:
    new_pages: list[DigestItem]
    requests: list[DigestItem]
    questions: list[DigestItem]
    reviews: list[DigestItem]

    def is_empty(self) -> bool:
        return not (self.new_pages or self.requests or self.questions or self.reviews)


def iso_week(moment: datetime.datetime) -> str:
    year, week, _ = timezone.localdate(moment).isocalendar()
    return f"{year}-W{week:02d}"


def digest_for(*, user, now: datetime.datetime | None = None) -> Digest:
    """What ``user``'s digest says, for the week before ``now``; only what they may see."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=DIGEST_DAYS)
    stream = personal_stream(user=user, size=SECTION_SIZE)
    new_pages = [_page_item(entry) for entry in stream.entries if entry.date >= timezone.localdate(since)]
    teaches = ProfileTeaches.objects.filter(content_object__user=user).values("tag_id")
    requests = requests_for_listing(
        TopicRequestPage.objects.filter(
            status=TopicRequestPage.Status.OPEN,
            asked_at__gte=since,
            pk__in=TopicRequestPage.objects.filter(tagged_items__tag__in=teaches).values("pk"),
        ).exclude(requester=user),
        user=user,
    ).order_by("-vote_count", "-asked_at", "-pk")[:SECTION_SIZE]
    on_topics = Q()
    for _, through in STREAM_TYPES:
        on_topics |= Q(page_id__in=through.objects.filter(tag__in=teaches).values("content_object_id"))
    questions = (
        open_questions(user=user)
        .filter(on_topics, created__gte=since)
        .exclude(author=user)
        .order_by("-created")
    )[:SECTION_SIZE]
    reviews = due_reviews(user=user, today=timezone.localdate(now))[:SECTION_SIZE]
    return Digest(
        new_pages=new_pages,
        requests=[_request_item(request) for request in requests],
        questions=[_question_item(question) for question in questions],
        reviews=[_review_item(review) for review in reviews],
    )


@transaction.atomic
def digest_send(*, user, now: datetime.datetime | None = None, week: str | None = None) -> bool:
    """Send ``user`` this week's digest, unless it has nothing to say, they do not want it, or it went."""
    now = now or timezone.now()
    if email_preferences_for(user).digest != EmailPreferences.Digest.WEEKLY:
        return False
    digest = digest_for(user=user, now=now)
    if digest.is_empty():
        return False
    return email_send(
        user=user,
        key=f"digest:{week or iso_week(now)}",
        scope="digest",
        subject="Your week on Pairwise",
        template="home/email/digest",
        context={"digest": digest, "stream_url": absolute_url("/me/stream/")},
    )


def digest_recipient_ids() -> list[int]:
    """Everyone active with an e-mail address who has not switched the digest off."""
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(email_preferences__digest=EmailPreferences.Digest.OFF)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def review_reminder_send(*, user, today: datetime.date | None = None) -> bool:
    """Remind ``user`` of the lessons due for review ``today``, if they opted in; once a day."""
    today = today or timezone.localdate()
    if not email_preferences_for(user).review_reminders:
        return False
    due_today = [review for review in due_reviews(user=user, today=today) if review.due_on == today]
    if not due_today:
        return False
    lessons = [_review_item(review) for review in due_today[:SECTION_SIZE]]
    subject = (
        f"Time to review “{lessons[0].title}”"
        if len(lessons) == 1
        else f"{len(due_today)} lessons to review today"
    )
    return email_send(
        user=user,
        key=f"reminder:{today.isoformat()}",
        scope="reminders",
        subject=subject,
        template="home/email/review_reminder",
        context={"lessons": lessons},
    )


def review_reminder_recipient_ids(*, today: datetime.date | None = None) -> list[int]:
    """The people who opted in and have a review due ``today`` (one query)."""
    today = today or timezone.localdate()
    return list(
        ReviewSchedule.objects.filter(
            due_on=today,
            user__is_active=True,
            user__email_preferences__review_reminders=True,
        )
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


# --- items ------------------------------------------------------------------------


def _page_item(entry: StreamEntry) -> DigestItem:
    page = entry.page
    pair = getattr(page, "pair", None)
    detail = "Lesson" if entry.kind == "lesson" else "Post"
    return DigestItem(
        title=page.title, url=absolute_url(page.url or "/"), detail=f"{detail} by {pair}" if pair else detail
    )


def _request_item(request: TopicRequestPage) -> DigestItem:
    votes = f"{request.vote_count} vote{'' if request.vote_count == 1 else 's'}"
    topics = ", ".join(tag.name for tag in request.tags.all())
    return DigestItem(
        title=request.title,
        url=absolute_url(request.url or "/"),
        detail=f"{topics} · {votes}" if topics else votes,
    )


def _question_item(question: Comment) -> DigestItem:
    return DigestItem(
        title=question.page.title,
        url=absolute_url(f"{question.page.url or '/'}#comment-{question.pk}"),
        detail=body_excerpt(question.body_html, length=EXCERPT_LENGTH),
    )


def _review_item(review: ReviewSchedule) -> DigestItem:
    return DigestItem(title=review.lesson.title, url=absolute_url(review.lesson.url or "/"), detail="")
