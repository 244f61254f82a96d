"""The weekly digest and review reminders, sent to a real SMTP server."""

import datetime

from django.utils import timezone

import pytest
from django_tasks import TaskResultStatus
from taggit.models import Tag

from blog.emails import email_preferences_update
from blog.models import SentEmail
from blog.services import profile_ensure
from blog.threads.services import comment_create
from home.digests import digest_for, digest_send, review_reminder_send
from home.tasks import digest_send_due, review_reminders_send
from learning.models import TopicFollow
from learning.models.progress import ReviewSchedule
from tests.learning.conftest import learning_index, make_lesson, make_request, request_index  # noqa: F401
from tests.mail_server import parts, smtp_server  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def week_of_news(make_post, make_lesson, make_request, pair, staff, editor):
    """For sam: a new post on a followed topic, a request and a question on what sam teaches, a review due."""
    make_post(title="Wikis for client notes", tags=["Wikis"])
    make_post(title="Not followed", tags=["Lending"])
    lesson = make_lesson(title="Tags beat folders", tags=["Wikis"])
    TopicFollow.objects.create(user=staff, tag=Tag.objects.get(name="Wikis"))
    profile_ensure(user=staff).can_teach.add("Credit risk")
    make_request("How do we score credit risk?", user=editor, topics=["Credit risk"])
    scored = make_post(title="Scoring basics", tags=["Credit risk"])
    comment_create(page=scored, user=editor, body="Who checks the scores?", client_id="q", question=True)
    ReviewSchedule.objects.create(user=staff, lesson=lesson, due_on=timezone.localdate())
    return lesson


def test_the_digest_says_what_is_new_wanted_and_due(smtp_server, week_of_news, staff, settings):
    assert digest_send(user=staff) is True
    (message,) = smtp_server.messages
    assert message["To"] == "sam@example.com"
    bodies = parts(message)
    assert set(bodies) == {"text/plain", "text/html"}
    for body in bodies.values():
        for said in ("Wikis for client notes", "How do we score credit risk?", "Who checks the scores?"):
            assert said in body
        assert "Tags beat folders" in body  # new on a followed topic, and due for review
        assert "Not followed" not in body
        assert f"{settings.BASE_URL}/email/unsubscribe/" in body
    assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"


def test_the_digest_is_skipped_when_there_is_nothing_to_say(smtp_server, make_post, staff):
    make_post(title="Nobody follows this", tags=["Lending"])
    assert digest_for(user=staff).is_empty()
    assert digest_send(user=staff) is False
    assert smtp_server.messages == []
    assert SentEmail.objects.count() == 0


def test_old_news_is_not_in_the_digest(smtp_server, make_post, staff):
    make_post(title="Last month", tags=["Wikis"], date=timezone.localdate() - datetime.timedelta(days=30))
    TopicFollow.objects.create(user=staff, tag=Tag.objects.get(name="Wikis"))
    assert digest_send(user=staff) is False


def test_the_digest_is_sent_once_a_week_and_not_when_switched_off(
    smtp_server, week_of_news, staff, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = digest_send_due.enqueue()
        assert result.status == TaskResultStatus.SUCCESSFUL
    assert [message["To"] for message in smtp_server.messages] == ["sam@example.com"]

    email_preferences_update(user=staff, digest="off")
    next_week = timezone.now() + datetime.timedelta(days=7)
    assert digest_send(user=staff, now=next_week) is False


def test_the_digest_is_a_fixed_number_of_queries(week_of_news, staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        digest = digest_for(user=staff)
    assert not digest.is_empty()


def test_a_review_reminder_comes_on_the_day_only_to_those_who_opted_in(
    smtp_server, week_of_news, staff, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert review_reminder_send(user=staff) is False  # off unless chosen
    email_preferences_update(user=staff, review_reminders=True)
    assert review_reminder_send(user=staff, today=timezone.localdate() - datetime.timedelta(days=1)) is False

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            review_reminders_send.enqueue()
    (message,) = smtp_server.messages
    assert str(message["Subject"]).strip() == "Time to review “Tags beat folders”"
    assert "Tags beat folders" in parts(message)["text/plain"]
