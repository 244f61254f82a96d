"""E-mail preferences at /me/notifications/settings/, and the unsubscribe link every e-mail carries."""

import json

from django.core import signing
from django.test import Client

import pytest

from blog.emails import email_preferences_for, unsubscribe_token
from blog.models import EmailPreferences

pytestmark = pytest.mark.django_db

SETTINGS = "/me/notifications/settings/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unsubscribe_path(user, scope: str) -> str:
    return f"/email/unsubscribe/{unsubscribe_token(user=user, scope=scope)}/"


def test_the_defaults_are_mentions_and_answers_on_and_a_weekly_digest(staff):
    preferences = email_preferences_for(staff)
    assert preferences.pk is None  # nothing saved until the person chooses
    assert preferences.kinds_on() == {"mention", "reply", "question", "answered", "notice"}
    assert preferences.digest == EmailPreferences.Digest.WEEKLY
    assert preferences.review_reminders is False


def test_the_settings_page_shows_the_choices_and_saves_them(staff):
    client = signed_in(staff)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="mentions" id="id_mentions" checked' in html
    assert 'name="pair_post_comments" id="id_pair_post_comments">' in html
    assert 'value="weekly"' in html and "checked" in html.split('value="weekly"')[1][:40]

    response = client.post(SETTINGS, {"replies": "on", "digest": "off", "review_reminders": "on"})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    saved = email_preferences_for(staff)
    assert saved.kinds_on() == {"reply"}
    assert (saved.digest, saved.review_reminders) == ("off", True)
    assert "Your e-mail preferences are saved." in client.get(SETTINGS).content.decode()


def test_a_choice_that_does_not_validate_is_a_400_and_saves_nothing(staff):
    response = signed_in(staff).post(SETTINGS, {"mentions": "on", "digest": "daily"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert EmailPreferences.objects.filter(user=staff).exists() is False


def test_the_settings_page_needs_signing_in_and_is_linked_from_the_notifications(staff):
    assert Client().get(SETTINGS).status_code == 302
    assert f'href="{SETTINGS}"' in signed_in(staff).get("/me/notifications/").content.decode()


@pytest.mark.parametrize(
    ("scope", "stopped"),
    [
        ("notifications", lambda p: p.kinds_on() == set()),
        ("digest", lambda p: p.digest == "off" and p.kinds_on()),
        ("reminders", lambda p: p.review_reminders is False and p.digest == "weekly"),
    ],
)
def test_unsubscribe_asks_first_then_stops_what_the_link_names(staff, scope, stopped):
    EmailPreferences.objects.create(user=staff, review_reminders=True)
    path = unsubscribe_path(staff, scope)
    client = Client()  # signed out: the token is enough

    page = client.get(path)
    assert page.status_code == 200
    assert '<form method="post">' in page.content.decode()
    assert email_preferences_for(staff).review_reminders is True  # a GET changes nothing
    assert email_preferences_for(staff).kinds_on()

    done = client.post(path)
    assert done.status_code == 200 and "Unsubscribed" in done.content.decode()
    assert stopped(email_preferences_for(staff))
    assert client.post(path).status_code == 200  # twice is harmless


def another_persons(token: str) -> str:
    payload, rest = token.split(":", 1)
    user_id, scope = json.loads(signing.b64_decode(payload.encode()))
    return signing.b64_encode(json.dumps([user_id + 1, scope]).encode()).decode() + ":" + rest


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature
        lambda token: another_persons(token),  # someone else's id under this signature
        lambda token: token.split(":")[0],  # cut short
        lambda token: "nonsense",
    ],
)
def test_a_tampered_token_is_refused_with_a_400(staff, tamper):
    path = f"/email/unsubscribe/{tamper(unsubscribe_token(user=staff, scope='digest'))}/"
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert email_preferences_for(staff).digest == "weekly"


def test_a_token_of_someone_who_is_gone_is_refused(staff):
    path = unsubscribe_path(staff, "digest")
    staff.delete()
    assert Client().post(path).status_code == 400
