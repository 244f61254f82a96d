"""Notifications by e-mail, sent to a real SMTP server: only what was not seen, batched, visible, once."""

import datetime
from html.parser import HTMLParser

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from django_tasks import TaskResultStatus

from blog.emails import email_preferences_for, email_preferences_update
from blog.factories import UserFactory
from blog.models import SentEmail
from blog.notification_emails import notification_email_recipients_due, notification_emails_send
from blog.tasks import notification_emails_send_due, notification_emails_send_to
from blog.threads.models import Notification
from blog.threads.services import comment_create
from tests.mail_server import free_port, parts, smtp_server  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def delay(settings) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.EMAIL_NOTIFICATION_DELAY)


@pytest.fixture
def priya(db):
    return UserFactory(username="priya", first_name="Priya", last_name="Nair")


def comment(page, author, body: str, client_id: str, **kwargs):
    return comment_create(page=page, user=author, body=body, client_id=client_id, **kwargs).comment


def header(message, name: str) -> str:
    """A header's value as a mail client reads it (a long one is folded after its name)."""
    return str(message[name]).strip()


def after_the_delay(delay):
    return timezone.now() + delay + datetime.timedelta(seconds=1)


def test_a_mention_read_on_the_site_within_the_delay_sends_nothing(
    smtp_server, post, pair, staff, priya, delay
):
    comment(post, pair.first_member, "@sam @priya have a look", "c1")
    reader = Client()
    reader.force_login(staff)
    assert reader.get("/me/notifications/").status_code == 200  # shown there, so seen

    now = after_the_delay(delay)
    assert notification_emails_send(user=staff, now=now) == 0
    assert notification_emails_send(user=priya, now=now) == 1  # who did not look hears of it
    assert [message["To"] for message in smtp_server.messages] == ["priya@example.com"]


def test_nothing_is_sent_before_the_delay_has_passed(smtp_server, post, pair, staff, delay):
    comment(post, pair.first_member, "@sam soon", "c1")
    assert notification_emails_send(user=staff, now=timezone.now() + delay / 2) == 0
    assert notification_email_recipients_due(now=timezone.now() + delay / 2) == []
    assert staff.pk in notification_email_recipients_due(now=after_the_delay(delay))
    assert smtp_server.messages == []


def test_three_mentions_in_one_window_send_one_message(smtp_server, post, pair, staff, delay):
    for number in range(4):
        comment(post, pair.first_member, f"@sam point number {number}", f"c{number}")
    notifications = list(Notification.objects.filter(recipient=staff).order_by("id"))
    start = timezone.now() - 2 * delay
    # Three in the window the first opens, the fourth just after it closes.
    for notification, offset in zip(notifications, (0, 3, 6, 11), strict=True):
        notification.created = start + offset * delay / 10
        notification.save(update_fields=["created"])

    assert notification_emails_send(user=staff, now=start + delay * 1.5) == 1
    (message,) = smtp_server.messages
    text = parts(message)["text/plain"]
    assert [number for number in range(4) if f"point number {number}" in text] == [0, 1, 2]
    assert header(message, "Subject") == "Amira Haddad mentioned you in “Tagging the wiki”, and 2 more"

    # The fourth opened a window of its own, which is due later; and nothing is sent twice.
    assert notification_emails_send(user=staff, now=start + delay * 1.5) == 0
    assert notification_emails_send(user=staff, now=start + delay * 2.2) == 1
    assert "point number 3" in parts(smtp_server.messages[1])["text/plain"]
    assert SentEmail.objects.filter(recipient=staff).count() == 2


def test_a_mention_on_a_page_restricted_after_it_was_made_sends_nothing(
    smtp_server, make_post, post, pair, staff, delay, django_capture_on_commit_callbacks
):
    secret = make_post(title="Committee minutes")
    comment(secret, pair.first_member, "@sam the minutes", "c1")
    comment(post, pair.first_member, "@sam the wiki", "c2")
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=secret, restriction_type="groups")
        restriction.groups.set([Group.objects.create(name="Committee")])

    assert notification_emails_send(user=staff, now=after_the_delay(delay)) == 1
    (message,) = smtp_server.messages
    for body in parts(message).values():
        assert "Tagging the wiki" in body
        assert "Committee minutes" not in body and secret.url not in body


def test_preferences_are_honoured(smtp_server, post, pair, staff, delay):
    amira, ben = pair.first_member, pair.second_member
    email_preferences_update(user=staff, mentions=False)
    email_preferences_update(user=ben, pair_post_comments=True)  # off unless chosen
    comment(post, amira, "@sam what do you think?", "c1")  # a mention for sam; a pair post comment for ben
    comment(post, staff, "Nice post", "c2")  # pair post comments for amira and ben

    now = after_the_delay(delay)
    sent = {person.username: notification_emails_send(user=person, now=now) for person in (staff, amira, ben)}
    assert sent == {"sam": 0, "amira": 0, "ben": 1}
    assert [message["To"] for message in smtp_server.messages] == ["ben@example.com"]


def test_every_message_has_both_parts_absolute_links_and_a_one_click_unsubscribe(
    smtp_server, post, pair, staff, delay, settings
):
    made = comment(post, pair.first_member, "@sam look at this", "c1")
    notification_emails_send(user=staff, now=after_the_delay(delay))
    (message,) = smtp_server.messages

    unsubscribe = header(message, "List-Unsubscribe")
    assert unsubscribe.startswith(f"<{settings.BASE_URL}/email/unsubscribe/") and unsubscribe.endswith("/>")
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    bodies = parts(message)
    assert set(bodies) == {"text/plain", "text/html"}
    for body in bodies.values():
        assert f"{settings.BASE_URL}{post.url}#comment-{made.pk}" in body
        assert f"{settings.BASE_URL}/me/notifications/settings/" in body
        assert unsubscribe[1:-1] in body
        assert "look at this" in body

    # The header's address unsubscribes with one POST, signed out and without a CSRF token.
    path = unsubscribe[1 + len(settings.BASE_URL) : -1]
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert email_preferences_for(staff).kinds_on() == set()


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def test_an_html_injection_payload_in_a_comment_is_inert_in_the_email(smtp_server, post, staff, delay):
    eve = UserFactory(username="eve", first_name='<b onmouseover="alert(2)">Eve', last_name="")
    payload = '@sam <script>alert("x")</script> <img src=x onerror=alert(1)> [win](javascript:alert(3))'
    comment(post, eve, payload, "c1")
    notification_emails_send(user=staff, now=after_the_delay(delay))
    (message,) = smtp_server.messages
    html = parts(message)["text/html"]

    elements = _Elements()
    elements.feed(html)
    assert {"script", "img", "b"} & set(elements.tags) == set()
    assert [name for name, _ in elements.attributes if name.startswith("on")] == []
    assert [value for name, value in elements.attributes if name == "href" and "javascript" in value] == []
    assert "&lt;script&gt;" in html and "&lt;b onmouseover" in html  # shown as the text it is
    assert "<script>" in parts(message)["text/plain"]  # plain text, for a plain-text reader


def test_a_task_run_twice_sends_once(
    smtp_server, post, pair, staff, delay, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    comment(post, pair.first_member, "@sam twice?", "c1")
    Notification.objects.update(created=timezone.now() - delay - datetime.timedelta(seconds=5))

    sweeps = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # each queues its people once done
            sweeps.append(notification_emails_send_due.enqueue())
    direct = [notification_emails_send_to.enqueue(user_id=staff.pk) for _ in range(2)]

    assert [result.status for result in sweeps + direct] == [TaskResultStatus.SUCCESSFUL] * 4
    # Sam, and Ben (a comment on his pair's post, which he gets on the site only);
    # the second sweep finds no one due.
    assert [result.return_value for result in sweeps] == [2, 0]
    assert [result.return_value for result in direct] == [0, 0]
    assert len(smtp_server.messages) == 1


def test_a_message_that_could_not_be_sent_is_sent_by_the_next_run(
    smtp_server, post, pair, staff, delay, settings
):
    comment(post, pair.first_member, "@sam retry", "c1")
    now = after_the_delay(delay)
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nobody listens there
    with pytest.raises(OSError):
        notification_emails_send(user=staff, now=now)
    assert SentEmail.objects.count() == 0
    assert email_preferences_for(staff).notifications_mailed_until is None

    settings.EMAIL_PORT = working_port
    assert notification_emails_send(user=staff, now=now) == 1
    assert len(smtp_server.messages) == 1


def test_the_sweep_is_one_query(post, pair, staff, priya, delay, django_assert_num_queries):
    comment(post, pair.first_member, "@sam @priya", "c1")
    with django_assert_num_queries(1):
        assert {staff.pk, priya.pk} <= set(notification_email_recipients_due(now=after_the_delay(delay)))
