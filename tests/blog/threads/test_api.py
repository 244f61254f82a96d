"""HTTP: the JSON API, the thread without JavaScript, the notification list."""

import html
import json
import re

from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.threads import services
from blog.threads.models import Comment, Notification, Reaction

pytestmark = pytest.mark.django_db


def api_url(page) -> str:
    return f"/api/threads/{page.pk}/comments/"


def post_json(client, url, payload, **extra):
    return client.post(url, data=json.dumps(payload), content_type="application/json", **extra)


def add(page, author, body="Hello", client_id=None, parent=None):
    return services.comment_create(
        page=page,
        user=author,
        body=body,
        client_id=client_id or f"c{Comment.objects.count()}",
        parent_id=parent,
    ).comment


# --- the JSON API ----------------------------------------------------------------------------


def test_get_lists_comments_after_an_id_with_visibility_rules(client, post, staff, pair):
    first = add(post, pair.first_member, "First")
    second = add(post, staff, "Second")
    services.comment_hide(page=post, user=_editor(), comment_id=second.pk, hidden=True)

    everything = client.get(api_url(post)).json()
    after = client.get(api_url(post), {"after": first.pk}).json()

    assert [c["id"] for c in everything["comments"]] == [first.pk, second.pk]
    assert everything["last_id"] == second.pk and everything["has_more"] is False
    assert after["comments"][0]["body_html"] == "" and after["comments"][0]["hidden"] is True
    assert after["comments"][0]["client_id"] is None


def test_post_creates_with_201_and_a_retry_answers_200(post, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    token = _csrf_token(client, post)
    payload = {"body": "Via the API", "parent": None, "client_id": "api-1"}

    created = post_json(client, api_url(post), payload, HTTP_X_CSRFTOKEN=token)
    again = post_json(client, api_url(post), payload, HTTP_X_CSRFTOKEN=token)

    assert created.status_code == 201
    assert created.json()["comment"]["body_html"] == "<p>Via the API</p>"
    assert created.json()["comment"]["client_id"] == "api-1"
    assert again.status_code == 200 and again.json() == created.json()
    assert Comment.objects.count() == 1


def test_post_without_csrf_token_is_forbidden_json(post, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = post_json(client, api_url(post), {"body": "x", "parent": None, "client_id": "c"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"body": "x" * 5001, "parent": None, "client_id": "a"}, 413, "too_long"),
        ({"body": "   ", "parent": None, "client_id": "a"}, 400, "empty"),
        ({"body": "ok", "parent": None, "client_id": ""}, 400, "invalid"),
        ({"body": "ok", "parent": "1", "client_id": "a"}, 400, "invalid"),
        ({"body": "ok", "parent": 999999, "client_id": "a"}, 404, "not_found"),
        (["not", "an", "object"], 400, "invalid"),
    ],
)
def test_post_errors_have_codes_and_statuses(client, post, staff, payload, status, code):
    client.force_login(staff)

    response = post_json(client, api_url(post), payload)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_unreadable_and_oversized_bodies(client, post, staff):
    client.force_login(staff)

    bad = client.post(api_url(post), data="{nope", content_type="application/json")
    huge = client.post(api_url(post), data="x" * (64 * 1024 + 1), content_type="application/json")

    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid")
    assert (huge.status_code, huge.json()["error"]["code"]) == (413, "too_long")


def test_anonymous_post_is_401_and_rate_limit_is_429(client, post, staff, settings, rate_clock_held):
    anonymous = post_json(client, api_url(post), {"body": "x", "parent": None, "client_id": "a"})
    settings.COMMENT_RATE_LIMIT = 1
    client.force_login(staff)
    post_json(client, api_url(post), {"body": "one", "parent": None, "client_id": "1"})
    limited = post_json(client, api_url(post), {"body": "two", "parent": None, "client_id": "2"})

    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "auth_required")
    assert (limited.status_code, limited.json()["error"]["code"]) == (429, "rate_limited")
    assert int(limited["Retry-After"]) == limited.json()["error"]["retry_after"] >= 1


def test_missing_draft_and_private_threads(client, post, blog_index, staff):
    restriction = PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)

    private_anonymous = client.get(api_url(post))
    client.force_login(staff)
    private_staff = client.get(api_url(post))
    restriction.delete()
    post.unpublish()

    assert private_anonymous.status_code == 401
    assert private_staff.status_code == 200
    assert client.get(api_url(post)).status_code == 404
    assert client.get("/api/threads/999999/comments/").status_code == 404
    assert client.get(api_url(blog_index)).status_code == 404
    assert client.get(api_url(post), {"after": "x"}).status_code == 404


def test_bad_cursor_is_invalid(client, post):
    response = client.get(api_url(post), {"after": "seven"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")


# --- without JavaScript ------------------------------------------------------------------------


def test_page_renders_thread_with_replies_nested_and_placeholders(client, post, staff, pair, editor):
    root = add(post, pair.first_member, "Root question")
    reply = add(post, staff, "A reply", parent=root.pk)
    add(post, pair.second_member, "Deeper", parent=reply.pk)
    gone = add(post, staff, "Regret")
    add(post, pair.first_member, "Still here", parent=gone.pk)
    hidden = add(post, staff, "Off topic")
    services.comment_delete(page=post, user=staff, comment_id=gone.pk)
    services.comment_hide(page=post, user=editor, comment_id=hidden.pk, hidden=True)
    add(post, staff, "Deleted alone", client_id="alone")
    services.comment_delete(page=post, user=staff, comment_id=Comment.objects.get(client_id="alone").pk)

    html = client.get(post.url).content.decode()

    assert "Root question" in html and "A reply" in html
    assert "replying to @sam" in html  # the deeper reply, shown under the root
    assert html.index(f'id="comment-{reply.pk}"') > html.index('class="comment__replies"')
    assert "This comment was deleted." in html and "Regret" not in html
    assert "This comment is hidden." in html and "Off topic" not in html
    assert "Deleted alone" not in html and html.count("This comment was deleted.") == 1
    assert 'href="/accounts/login/?next=' in html  # anonymous readers are asked to sign in


def test_page_thread_query_count_does_not_grow(
    client, post, staff, pair, settings, django_assert_max_num_queries
):
    settings.COMMENT_RATE_LIMIT = 1000
    client.force_login(staff)
    add(post, staff)
    with django_assert_max_num_queries(60) as few:
        client.get(post.url)
    root = Comment.objects.first()
    for n in range(20):
        comment = add(post, pair.first_member if n % 2 else staff, parent=root.pk if n % 3 else None)
        Reaction.objects.create(comment=comment, user=staff, kind="like")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(post.url)


def test_form_posts_a_comment_and_redirects_to_it(client, post, staff):
    client.force_login(staff)

    response = client.post(
        post.url, {"thread_form": "1", "action": "comment", "body": "No JS needed", "client_id": "form-1"}
    )

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{post.url}#comment-{comment.pk}"
    assert "No JS needed" in client.get(post.url).content.decode()


def test_form_reply_reaction_and_delete(client, post, staff, pair):
    root = add(post, pair.first_member, "Root")
    client.force_login(staff)

    client.post(
        post.url,
        {"thread_form": "1", "action": "comment", "body": "Reply", "client_id": "r", "parent": str(root.pk)},
    )
    client.post(post.url, {"thread_form": "1", "comment": str(root.pk), "reaction": "insightful"})
    reply = Comment.objects.get(client_id="r")
    client.post(post.url, {"thread_form": "1", "action": "delete", "comment": str(reply.pk)})

    reply.refresh_from_db()
    assert reply.parent_id == root.pk and reply.deleted
    assert Reaction.objects.filter(comment=root, user=staff, kind="insightful").exists()
    html = client.get(post.url).content.decode()
    assert 'aria-pressed="true"' in html


def test_refused_form_comment_keeps_the_text_and_shows_why(client, post, staff):
    client.force_login(staff)

    response = client.post(
        post.url, {"thread_form": "1", "action": "comment", "body": "x" * 5001, "client_id": "long"}
    )

    html = response.content.decode()
    assert response.status_code == 413
    assert "at most 5,000 characters" in html
    assert "x" * 5001 in html


def test_form_asks_anonymous_people_to_sign_in(client, post):
    response = client.post(
        post.url, {"thread_form": "1", "action": "comment", "body": "hi", "client_id": "a"}
    )

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


# --- notifications ---------------------------------------------------------------------------------


def test_notification_list_shows_an_excerpt_and_marks_what_it_shows_read(client, post, staff, pair):
    long_tail = " and then some more words" * 10
    add(post, staff, f"Hello @amira, **look** at <b>this</b>{long_tail}")
    client.force_login(pair.first_member)

    elsewhere = client.get("/blog/").content.decode()
    visit = client.get("/me/notifications/").content.decode()
    again = client.get("/me/notifications/").content.decode()

    assert "data-notifications-unread>1<" in elsewhere  # the header counted it before the visit
    assert "Sam Kowalski mentioned you in" in visit
    assert visit.count('<span class="badge">new</span>') == 1  # new on this visit...
    assert "data-notifications-unread" not in visit  # ...and already counted as seen in the header
    assert '<span class="badge">new</span>' not in again
    (excerpt,) = re.findall(r'<p class="notification__excerpt">(.*?)</p>', visit)
    assert excerpt.startswith("Hello @amira, look at &lt;b&gt;this&lt;/b&gt; and then some")
    assert excerpt.endswith("…") and len(html.unescape(excerpt)) <= 140
    assert not Notification.objects.filter(read__isnull=True, recipient=pair.first_member).exists()


def test_only_the_notifications_shown_are_marked_read(client, staff):
    Notification.objects.bulk_create(
        Notification(recipient=staff, kind=Notification.Kind.NOTICE, text=f"Notice {n}", url="/")
        for n in range(53)
    )
    client.force_login(staff)

    visit = client.get("/me/notifications/").content.decode()
    client.post("/me/notifications/read/")

    assert visit.count('<span class="badge">new</span>') == 50
    assert "data-notifications-unread>3<" in visit and "Mark all as read" in visit
    assert not Notification.objects.filter(read__isnull=True).exists()


def test_a_removed_comment_leaves_its_notification_without_an_excerpt(client, post, staff, pair):
    comment = add(post, staff, "Hello @amira, a secret")
    Comment.objects.filter(pk=comment.pk).update(hidden=True)
    client.force_login(pair.first_member)

    visit = client.get("/me/notifications/").content.decode()

    assert "Sam Kowalski mentioned you in" in visit and "a secret" not in visit


def test_notification_list_needs_sign_in(client):
    assert client.get("/me/notifications/").status_code == 302


def _editor():
    from django.contrib.auth.models import Group

    from blog.factories import UserFactory

    user = UserFactory(username="moderator")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def _csrf_token(client, page) -> str:
    client.get(page.url)
    return client.cookies["csrftoken"].value


def test_lessons_carry_threads_too(client, home, staff, pair):
    from learning.factories import LessonPageFactory
    from learning.models import LearningIndexPage

    lesson = LessonPageFactory(parent=LearningIndexPage.objects.child_of(home).get(), pair=pair)
    client.force_login(staff)

    posted = client.post(
        lesson.url, {"thread_form": "1", "action": "comment", "body": "Great lesson", "client_id": "l-1"}
    )
    html = client.get(lesson.url).content.decode()

    assert posted.status_code == 303
    assert f'data-thread="{lesson.pk}"' in html and "Great lesson" in html
    assert client.get(api_url(lesson)).json()["comments"][0]["body_html"] == "<p>Great lesson</p>"
    assert {n.recipient.username for n in Notification.objects.all()} == {"amira", "ben"}
