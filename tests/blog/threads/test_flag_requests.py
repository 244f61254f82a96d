"""Flagging over HTTP: the JSON API (``POST .../comments/<id>/flags/``) and the page's no-JavaScript form."""

import html
import json

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.threads import services
from blog.threads.models import Comment, CommentFlag

pytestmark = pytest.mark.django_db


def flag_url(page, comment_id) -> str:
    return f"/api/threads/{page.pk}/comments/{comment_id}/flags/"


def post_json(client, url, payload, **extra):
    return client.post(url, data=json.dumps(payload), content_type="application/json", **extra)


def add(page, author, body="Hello"):
    return services.comment_create(
        page=page, user=author, body=body, client_id=f"c{Comment.objects.count()}"
    ).comment


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def kept() -> list[tuple]:
    return list(CommentFlag.objects.order_by("id").values_list("flagger__username", "reason", "note"))


# --- the JSON API ----------------------------------------------------------------------------


def test_a_flag_answers_201_then_200_with_the_flag_kept(post, staff, pair):
    comment = add(post, pair.first_member, "Meh")
    client = signed_in(staff, csrf=True)
    client.get(post.url)
    token = client.cookies["csrftoken"].value

    created = post_json(
        client, flag_url(post, comment.pk), {"reason": "other", "note": " Not here "}, HTTP_X_CSRFTOKEN=token
    )
    again = post_json(client, flag_url(post, comment.pk), {"reason": "off_topic"}, HTTP_X_CSRFTOKEN=token)
    without_token = post_json(client, flag_url(post, comment.pk), {"reason": "off_topic"})

    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "flag"} and body["id"] == comment.pk
    assert (body["flag"]["reason"], body["flag"]["note"]) == ("other", "Not here")
    assert body["flag"]["created"].endswith("Z")
    assert again.status_code == 200 and again.json() == body
    assert (without_token.status_code, without_token.json()["error"]["code"]) == (403, "forbidden")
    assert kept() == [("sam", "other", "Not here")]


def test_the_threshold_hides_the_comment_and_the_answer_stays_the_flag(client, post, staff, pair, settings):
    settings.COMMENT_FLAG_THRESHOLD = 2
    comment = add(post, pair.first_member, "Leaked")

    first = post_json(signed_in(staff), flag_url(post, comment.pk), {"reason": "confidential"})
    shown = client.get(f"/api/threads/{post.pk}/comments/{comment.pk}/").json()["comment"]
    second = post_json(signed_in(pair.second_member), flag_url(post, comment.pk), {"reason": "confidential"})
    after = client.get(f"/api/threads/{post.pk}/comments/{comment.pk}/").json()["comment"]

    assert first.status_code == second.status_code == 201
    assert shown["hidden"] is False and shown["body_html"] == "<p>Leaked</p>"
    assert after["hidden"] is True and after["body_html"] == ""


@pytest.mark.parametrize(
    ("payload", "status", "code", "message"),
    [
        (
            {"reason": "spam"},
            400,
            "invalid",
            "reason must be one of off_topic, disrespectful, confidential, other",
        ),
        ({}, 400, "invalid", "reason must be one of"),
        ({"reason": ["off_topic"]}, 400, "invalid", "reason must be one of"),
        ({"reason": "other"}, 400, "empty", "Say what is wrong with the comment."),
        ({"reason": "other", "note": " \n "}, 400, "empty", "Say what is wrong"),
        ({"reason": "off_topic", "note": 3}, 400, "invalid", "note must be text."),
        ({"reason": "off_topic", "note": "x" * 501}, 413, "too_long", "at most 500 characters"),
        ({"reason": "off_topic", "note": "nul\u0000"}, 400, "invalid", "NUL character"),
        (["off_topic"], 400, "invalid", "Send a JSON object."),
        ("not json", 400, "invalid", "not usable JSON"),
    ],
)
def test_refused_flags_answer_with_a_clear_message_and_write_nothing(
    post, staff, pair, payload, status, code, message
):
    comment = add(post, pair.first_member)
    data = payload if isinstance(payload, str) else json.dumps(payload)

    response = signed_in(staff).post(flag_url(post, comment.pk), data=data, content_type="application/json")

    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (status, code)
    assert message in error["message"]
    assert not CommentFlag.objects.exists()


def test_own_missing_deleted_and_other_thread_comments_are_refused(post, make_post, staff, pair):
    mine = add(post, staff, "Mine")
    deleted = add(post, pair.first_member, "Gone")
    services.comment_delete(page=post, user=pair.first_member, comment_id=deleted.pk)
    elsewhere = add(make_post(title="Another post"), pair.first_member, "Elsewhere")
    client = signed_in(staff)

    own = post_json(client, flag_url(post, mine.pk), {"reason": "off_topic"})
    missing = [
        post_json(client, flag_url(post, comment_id), {"reason": "off_topic"})
        for comment_id in (999999, deleted.pk, elsewhere.pk)
    ]

    assert (own.status_code, own.json()["error"]["code"]) == (403, "forbidden")
    assert own.json()["error"]["message"] == "You cannot flag your own comment."
    assert [(r.status_code, r.json()["error"]["code"]) for r in missing] == [(404, "not_found")] * 3
    assert not CommentFlag.objects.exists()


def test_signed_out_people_and_other_methods_are_refused(client, post, pair, staff):
    comment = add(post, pair.first_member)

    signed_out = post_json(client, flag_url(post, comment.pk), {"reason": "off_topic"})
    read = signed_in(staff).get(flag_url(post, comment.pk))

    assert (signed_out.status_code, signed_out.json()["error"]["code"]) == (401, "auth_required")
    assert read.status_code == 405
    assert not CommentFlag.objects.exists()


def test_a_page_the_person_may_not_see_is_refused_like_its_thread(
    client, post, blog_index, staff, pair, django_capture_on_commit_callbacks
):
    """The thread's own answers (as for reading it): 401 to sign in, 403 kept out, 404 not live."""
    comment = add(post, pair.first_member, "Inside")
    insiders = Group.objects.create(name="Insiders")
    pair.first_member.groups.add(insiders)
    with django_capture_on_commit_callbacks(execute=True):  # the rule's cache hears of the restriction
        restriction = PageViewRestriction.objects.create(
            page=blog_index, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(insiders)

    outsider = post_json(signed_in(staff), flag_url(post, comment.pk), {"reason": "off_topic"})
    anonymous = post_json(client, flag_url(post, comment.pk), {"reason": "off_topic"})
    insider = post_json(signed_in(pair.second_member), flag_url(post, comment.pk), {"reason": "off_topic"})
    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    pair.second_member.groups.add(insiders)
    unpublished = post_json(
        signed_in(pair.second_member), flag_url(post, comment.pk), {"reason": "off_topic"}
    )
    no_page = post_json(
        signed_in(staff), f"/api/threads/999999/comments/{comment.pk}/flags/", {"reason": "x"}
    )

    assert (outsider.status_code, outsider.json()["error"]["code"]) == (403, "forbidden")
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "auth_required")
    assert (insider.status_code, insider.json()["error"]["code"]) == (403, "forbidden")
    assert (unpublished.status_code, unpublished.json()["error"]["code"]) == (404, "not_found")
    assert (no_page.status_code, no_page.json()["error"]["code"]) == (404, "not_found")
    assert not CommentFlag.objects.exists()


def test_a_repeat_is_never_rate_limited_but_a_new_flag_is(post, staff, pair, settings, rate_clock_held):
    settings.COMMENT_FLAG_RATE_LIMIT = 1
    first, second = add(post, pair.first_member, "One"), add(post, pair.first_member, "Two")
    client = signed_in(staff)

    post_json(client, flag_url(post, first.pk), {"reason": "off_topic"})
    limited = post_json(client, flag_url(post, second.pk), {"reason": "off_topic"})
    repeat = post_json(client, flag_url(post, first.pk), {"reason": "off_topic"})

    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert int(limited["Retry-After"]) == limited.json()["error"]["retry_after"] >= 1
    assert repeat.status_code == 200
    assert kept() == [("sam", "off_topic", "")]


# --- the form, without JavaScript ------------------------------------------------------


def form(target, **fields):
    return {"thread_form": "1", "action": "flag", "comment": str(target.pk), **fields}


def test_the_form_is_offered_to_readers_only_on_others_comments(client, post, staff, pair, editor):
    theirs = add(post, pair.first_member, "Theirs")
    mine = add(post, staff, "Mine")

    reader = signed_in(staff)
    page = reader.get(post.url).content.decode()
    flagging = reader.get(f"{post.url}?flag={theirs.pk}").content.decode()
    own = reader.get(f"{post.url}?flag={mine.pk}").content.decode()
    anonymous = client.get(f"{post.url}?flag={theirs.pk}").content.decode()

    assert f"?flag={theirs.pk}#" in page and f"?flag={mine.pk}#" not in page
    assert f'id="flag-{theirs.pk}-note"' in flagging and 'name="action" value="flag"' in flagging
    assert 'value="confidential"' in flagging
    assert "data-comment-flag-form" not in own
    assert "data-comment-flag-form" not in anonymous


def test_a_form_flag_redirects_back_keeps_the_flag_and_says_thanks(post, staff, pair):
    comment = add(post, pair.first_member, "Off topic")
    client = signed_in(staff)

    response = client.post(post.url, form(comment, reason="off_topic", note="Belongs in #random"))
    page = client.get(post.url).content.decode()

    assert response.status_code == 303
    assert response["Location"] == f"{post.url}#comment-{comment.pk}"
    assert kept() == [("sam", "off_topic", "Belongs in #random")]
    assert "Thank you: the editors will look at it." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "spam"}, "reason must be one of off_topic, disrespectful, confidential, other."),
        ({}, "reason must be one of"),
        ({"reason": "other", "note": "  "}, "Say what is wrong with the comment."),
        ({"reason": "off_topic", "note": "x" * 501}, "A note can be at most 500 characters long."),
        ({"reason": "off_topic", "comment": "abc"}, "That is not a comment."),
        ({"reason": "off_topic", "comment": "999999"}, "That comment is not in this thread."),
        ({"reason": "off_topic", "comment": "own"}, "You cannot flag your own comment."),
    ],
)
def test_a_refused_form_flag_shows_the_message_on_the_page(post, staff, pair, fields, message):
    theirs = add(post, pair.first_member, "Theirs")
    mine = add(post, staff, "Mine")
    client = signed_in(staff)
    data = form(theirs, **fields)
    if data["comment"] == "own":
        data["comment"] = str(mine.pk)

    response = client.post(post.url, data)
    page = client.get(response["Location"])

    # Back to the flag form, open again above the message, when the comment could be read.
    flagged = data["comment"]
    again = f"{post.url}?flag={flagged}#flag-{flagged}" if flagged.isdigit() else f"{post.url}#thread"
    assert response.status_code == 302 and response["Location"] == again
    assert page.status_code == 200
    assert html.escape(message, quote=False) in page.content.decode()
    assert ("data-comment-flag-form" in page.content.decode()) == (flagged == str(theirs.pk))
    assert not CommentFlag.objects.exists()


def test_a_signed_out_form_flag_goes_to_sign_in(client, post, pair):
    comment = add(post, pair.first_member)

    response = client.post(post.url, form(comment, reason="off_topic"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not CommentFlag.objects.exists()


def test_the_form_at_the_threshold_hides_the_comment_for_readers(client, post, staff, pair, settings):
    settings.COMMENT_FLAG_THRESHOLD = 1
    comment = add(post, pair.first_member, "Leaked figures")

    signed_in(staff).post(post.url, form(comment, reason="confidential"))
    page = client.get(post.url).content.decode()

    assert Comment.objects.get(pk=comment.pk).hidden is True
    assert "Leaked figures" not in page and "This comment is hidden." in page
    assert f'id="comment-{comment.pk}"' in page and "comment--hidden" in page
