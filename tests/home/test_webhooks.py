"""Chat webhooks, delivered to a real HTTP server started by the test.

The server (``ThreadingHTTPServer`` on 127.0.0.1, in a thread) records every
request it is sent and answers each path with the status the test gave it.
"""

import datetime
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from taggit.models import Tag

from blog.threads.models import Comment
from blog.threads.services import comment_create
from home.models import ChatWebhook, ChatWebhookDelivery
from home.tasks import chat_questions_waiting_send
from home.webhooks import markdown_escape
from learning.models import TopicRequestIndexPage
from learning.request_services import request_answer, request_ask
from site.scheduler import periodic_jobs
from tests.learning.conftest import learning_index, make_lesson  # noqa: F401

pytestmark = pytest.mark.django_db


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class ChatServer:
    """What the test's chat server was sent, and what it answers (``statuses``: path → HTTP status)."""

    port: int
    received: list[Received] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server_state: ChatServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            server_state.received.append(Received(self.path, dict(self.headers.items()), body))
            status = server_state.statuses.get(self.path, 200)
            answer = b"ok" if status < 400 else b"the chat is down"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state = ChatServer(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hook(chat: ChatServer, *, topic: str | None = None, path: str = "/hook", **kwargs) -> ChatWebhook:
    kwargs.setdefault("name", f"#{topic or 'everything'}")
    tag = Tag.objects.get_or_create(name=topic, defaults={"slug": topic.lower()})[0] if topic else None
    return ChatWebhook.objects.create(url=chat.url(path), topic=tag, **kwargs)


def signature_verifies(received: Received, secret: str) -> bool:
    """What a receiver does: HMAC-SHA256 of ``<timestamp>.<body>``, compared in constant time."""
    timestamp = received.headers["X-Pairwise-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(received.headers["X-Pairwise-Signature"], f"sha256={expected}")


def worker_batch(**options) -> None:
    """A database worker in this process: runs every ready task (retries included), then stops."""
    call_command(
        "db_worker", queue_name="*", batch=True, reload=False, startup_delay=False, verbosity=0, **options
    )


def test_a_post_published_on_the_topic_is_sent_as_slack_json_signed_with_the_hooks_secret(
    chat, make_post, settings, django_capture_on_commit_callbacks
):
    wikis = hook(chat, topic="Wikis")
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="Wikis & <b>tables</b>", tags=["Wikis"])

    [received] = chat.received
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    assert received.headers["X-Pairwise-Event"] == "page_published"
    assert signature_verifies(received, wikis.secret)
    assert not signature_verifies(received, "another secret")
    link = f"{settings.BASE_URL}{post.url}"
    assert received.json() == {"text": f"New post: <{link}|Wikis &amp; &lt;b&gt;tables&lt;/b&gt;> (Wikis)"}
    delivery = ChatWebhookDelivery.objects.get()
    assert (delivery.hook, delivery.status, delivery.http_status, delivery.attempts, delivery.last_error) == (
        wikis,
        "sent",
        200,
        1,
        "",
    )
    assert received.headers["X-Pairwise-Delivery"] == str(delivery.pk)


def test_a_teams_hook_gets_an_adaptive_card_with_the_lesson_and_its_link(
    chat, make_lesson, settings, django_capture_on_commit_callbacks
):
    teams = hook(chat, format=ChatWebhook.Format.TEAMS)
    with django_capture_on_commit_callbacks(execute=True):
        lesson = make_lesson(title="Review *in* pairs", tags=["Reviews"])

    [received] = chat.received
    assert signature_verifies(received, teams.secret)
    message = received.json()
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert [block["text"] for block in card["body"]] == ["New lesson", r"Review \*in\* pairs", "Reviews"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open", "url": f"{settings.BASE_URL}{lesson.url}"}
    ]


def test_a_topics_hook_hears_only_of_its_topic_and_a_site_wide_one_of_every_topic(
    chat, make_post, django_capture_on_commit_callbacks
):
    hook(chat, topic="Wikis", path="/wikis")
    hook(chat, path="/everything")
    hook(chat, path="/inactive", active=False)
    hook(chat, path="/no-posts", on_page_published=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_post(title="About chat", tags=["Chat"])
        make_post(title="About wikis", tags=["wikis"])  # topics are case-insensitive

    sent = sorted((r.path, r.json()["text"].split("|")[1].split(">")[0]) for r in chat.received)
    assert sent == [("/everything", "About chat"), ("/everything", "About wikis"), ("/wikis", "About wikis")]


def test_an_edit_published_again_is_not_news(chat, make_post, django_capture_on_commit_callbacks):
    hook(chat)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="First", tags=["Wikis"])
        post.title = "First, edited"
        post.save_revision().publish()
    assert len(chat.received) == 1


def test_a_page_in_a_restricted_section_sends_nothing(
    chat, make_post, blog_index, django_capture_on_commit_callbacks
):
    hook(chat)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=blog_index, restriction_type="login")
        make_post(title="Staff only", tags=["Wikis"])
    assert chat.received == []
    assert not ChatWebhookDelivery.objects.exists()


def test_a_page_restricted_or_unpublished_before_the_send_sends_nothing(
    chat, make_post, django_capture_on_commit_callbacks
):
    hook(chat)
    with django_capture_on_commit_callbacks(execute=False) as sends:
        restricted = make_post(title="Committee minutes", tags=["Wikis"])
        withdrawn = make_post(title="Withdrawn", tags=["Wikis"])
    assert ChatWebhookDelivery.objects.count() == 2  # recorded while both were public
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=restricted, restriction_type="groups")
        restriction.groups.set([Group.objects.create(name="Committee")])
        withdrawn.unpublish()

    for send in sends:
        send()

    assert chat.received == []
    assert set(ChatWebhookDelivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_a_chat_answering_500_is_recorded_as_failed_with_its_error_when_no_retry_can_come(
    chat, make_post, django_capture_on_commit_callbacks
):
    """The immediate backend (these tests') cannot defer a retry: the one try is the last."""
    chat.statuses["/hook"] = 500
    hook(chat)
    with django_capture_on_commit_callbacks(execute=True):
        make_post(title="Down", tags=["Wikis"])

    delivery = ChatWebhookDelivery.objects.get()
    assert (delivery.status, delivery.http_status, delivery.attempts) == ("failed", 500, 1)
    assert delivery.last_error == "HTTP 500 Internal Server Error: the chat is down"


def test_an_unreachable_chat_is_recorded_as_failed(make_post, django_capture_on_commit_callbacks):
    ChatWebhook.objects.create(
        name="gone", url="http://127.0.0.1:9/hook"
    )  # the discard port: nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        make_post(title="Nobody there", tags=["Wikis"])
    delivery = ChatWebhookDelivery.objects.get()
    assert (delivery.status, delivery.http_status) == ("failed", None)
    assert delivery.last_error.startswith("could not reach the chat:")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_chat_answering_500_is_retried_by_the_worker_then_recorded_as_failed(chat, make_post, settings):
    settings.TASKS = {
        "default": {"BACKEND": "site.tasks.DatabaseBackend"},
        "immediate": {"BACKEND": "site.tasks.ImmediateBackend"},
    }
    settings.TASK_RETRY_ATTEMPTS = 3
    settings.TASK_RETRY_BACKOFF = 0
    chat.statuses["/hook"] = 500
    hook(chat)
    make_post(title="Down all day", tags=["Wikis"])  # committed: the delivery is queued
    assert chat.received == []  # nothing is sent until a worker runs

    worker_batch()

    assert len(chat.received) == 3
    assert len({r.body for r in chat.received}) == 1  # the same message each time
    delivery = ChatWebhookDelivery.objects.get()
    assert (delivery.status, delivery.http_status, delivery.attempts) == ("failed", 500, 3)
    assert "HTTP 500" in delivery.last_error

    from django_tasks_db.models import DBTaskResult

    tries = DBTaskResult.objects.filter(task_path="home.tasks.chat_webhook_deliver")
    assert sorted(tries.values_list("status", flat=True)) == ["FAILED"] * 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_try_that_fails_is_sent_by_the_next_one(chat, make_post, settings):
    settings.TASKS = {
        "default": {"BACKEND": "site.tasks.DatabaseBackend"},
        "immediate": {"BACKEND": "site.tasks.ImmediateBackend"},
    }
    settings.TASK_RETRY_BACKOFF = 0
    chat.statuses["/hook"] = 503
    hook(chat)
    make_post(title="Back soon", tags=["Wikis"])

    call_command(
        "db_worker", queue_name="*", batch=True, reload=False, startup_delay=False, max_tasks=1, verbosity=0
    )
    chat.statuses["/hook"] = 200
    worker_batch()

    assert [r.path for r in chat.received] == ["/hook", "/hook"]
    delivery = ChatWebhookDelivery.objects.get()
    assert (delivery.status, delivery.http_status, delivery.attempts, delivery.last_error) == (
        "sent",
        200,
        2,
        "",
    )


def test_requests_opened_and_answered_are_sent_to_their_topics_hooks(
    chat, make_post, pair, staff, django_capture_on_commit_callbacks
):
    hook(chat, topic="Wikis", path="/wikis")
    hook(chat, topic="Chat", path="/chat")
    requests = TopicRequestIndexPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        request = request_ask(
            user=staff, index=requests, title="How do we keep minutes?", details="", topics=["Wikis"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="Minutes, kept", tags=["Chat"])
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(user=pair.first_member, request=request, page=post)

    events = [(r.path, r.headers["X-Pairwise-Event"]) for r in chat.received]
    assert events == [
        ("/wikis", "request_opened"),
        ("/chat", "page_published"),
        ("/wikis", "request_answered"),
    ]
    assert chat.received[0].json()["text"].startswith("New topic request: <http")
    assert "How do we keep minutes?" in chat.received[2].json()["text"]


def _question(page, user, *, age: datetime.timedelta, client_id: str) -> Comment:
    comment = comment_create(
        page=page, user=user, body="Who keeps the minutes?", client_id=client_id, question=True
    ).comment
    Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - age)
    return comment


def test_a_question_waiting_more_than_a_day_is_sent_once(
    chat, make_post, blog_index, staff, settings, django_capture_on_commit_callbacks
):
    hook(chat, topic="Wikis", on_question_waiting=True, on_page_published=False)
    hook(chat, path="/no-questions")  # site-wide, but not for questions
    public = make_post(title="Public", tags=["Wikis"])
    other_topic = make_post(title="Other", tags=["Chat"])
    waiting = _question(public, staff, age=datetime.timedelta(hours=25), client_id="q1")
    _question(public, staff, age=datetime.timedelta(hours=2), client_id="q2")  # not a day yet
    _question(other_topic, staff, age=datetime.timedelta(days=2), client_id="q3")
    answered = _question(public, staff, age=datetime.timedelta(days=2), client_id="q4")
    Comment.objects.filter(pk=answered.pk).update(answer=answered)  # (any reply will do here)
    chat.received.clear()

    for _ in range(2):  # the hourly job, run again: nothing new
        with django_capture_on_commit_callbacks(execute=True):
            chat_questions_waiting_send.enqueue()

    [received] = chat.received
    assert received.path == "/hook"
    assert received.headers["X-Pairwise-Event"] == "question_waiting"
    link = f"{settings.BASE_URL}{public.url}#comment-{waiting.pk}"
    assert received.json()["text"] == f"A question has waited more than a day on: <{link}|Public> (Wikis)"
    assert "Who keeps the minutes?" not in received.body.decode()  # what people wrote is never sent


def test_a_question_on_a_restricted_page_is_not_sent(
    chat, make_post, staff, django_capture_on_commit_callbacks
):
    hook(chat, on_question_waiting=True)
    post = make_post(title="Committee minutes", tags=["Wikis"])
    _question(post, staff, age=datetime.timedelta(days=2), client_id="q1")
    chat.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=post, restriction_type="login")
    with django_capture_on_commit_callbacks(execute=True):
        chat_questions_waiting_send.enqueue()
    assert chat.received == []


# --- the admin ----------------------------------------------------------------------------------


def _form(url: str, **extra) -> dict:
    return {
        "name": "#wikis",
        "url": url,
        "format": "slack",
        "topic": "",
        "on_page_published": "on",
        "active": "on",
        **extra,
    }


def test_editors_add_a_hook_and_see_its_secret(client, editor):
    client.force_login(editor)
    response = client.post("/admin/chat-webhooks/new/", _form("https://chat.example.com/hooks/abc"))
    assert response.status_code == 302
    created = ChatWebhook.objects.get()
    assert (created.url, created.on_page_published, created.on_request_opened) == (
        "https://chat.example.com/hooks/abc",
        True,
        False,
    )
    assert len(created.secret) >= 40
    edit = client.get(f"/admin/chat-webhooks/edit/{created.pk}/")
    assert created.secret in edit.content.decode()


@pytest.mark.parametrize("url", ["ftp://chat.example.com/hook", "javascript:alert(1)", "file:///etc/passwd"])
def test_the_form_refuses_an_address_that_is_not_http_with_a_400(client, editor, url):
    client.force_login(editor)
    response = client.post("/admin/chat-webhooks/new/", _form(url))
    assert response.status_code == 400
    errors = response.context["form"].errors["url"]
    assert errors == ["Enter an http:// or https:// address."]
    assert not ChatWebhook.objects.exists()


def test_only_editors_reach_the_hooks_and_the_log(client, staff, chat):
    hook(chat)
    client.force_login(staff)
    for path in ("/admin/chat-webhooks/", "/admin/chat-webhook-deliveries/", "/admin/chat-webhooks/new/"):
        assert client.get(path).status_code in (302, 403)


def test_the_listing_shows_each_hooks_last_delivery_and_error_in_fixed_queries(
    client, editor, chat, make_post, django_capture_on_commit_callbacks, django_assert_num_queries
):
    chat.statuses["/down"] = 502
    hook(chat, path="/fine", name="Fine hook")
    hook(chat, path="/down", name="Down hook")
    with django_capture_on_commit_callbacks(execute=True):
        make_post(title="One", tags=["Wikis"])
    client.force_login(editor)
    client.get("/admin/chat-webhooks/")  # session and permission caches warmed

    with django_assert_num_queries(11):  # the admin's own (user, permissions, menu) and 2 of ours
        html = client.get("/admin/chat-webhooks/").content.decode()
    assert "Fine hook" in html and "Down hook" in html
    assert "HTTP 502 Bad Gateway: the chat is down" in html
    assert "Sent" in html and "Failed" in html

    for n in range(5):
        hook(chat, path=f"/more-{n}", name=f"More {n}")
    with django_assert_num_queries(11):  # the admin's own (user, permissions, menu) and 2 of ours
        client.get("/admin/chat-webhooks/")

    for more in range(2):  # the log too, however many deliveries it lists
        with django_capture_on_commit_callbacks(execute=True):
            make_post(title=f"Another {more}", tags=["Wikis"])
        with django_assert_num_queries(12):  # the admin's own, the hook filter's choices, the count, the rows
            log = client.get("/admin/chat-webhook-deliveries/").content.decode()
    assert "HTTP 502 Bad Gateway" in log and "Fine hook" in log


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (
            "1. Pairing, then [wikis](https://evil.example)",
            r"1\. Pairing, then \[wikis\](https://evil.example)",
        ),
        ("- _not_ a list", r"\- \_not\_ a list"),
        ("Plain: v2.0 (beta)", "Plain: v2.0 (beta)"),
    ],
)
def test_teams_text_is_plain_whatever_markdown_a_title_holds(title, shown):
    assert markdown_escape(title) == shown


def test_the_questions_job_is_registered_hourly():
    [job] = [job for job in periodic_jobs() if job.name == "chat-questions-waiting"]
    assert (job.task, job.cron) == (chat_questions_waiting_send, "15 * * * *")
