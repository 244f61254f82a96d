"""Comment editing everywhere: one service behind the API's PATCH, the form's edit action and the socket."""

import json

from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.threads import services
from blog.threads.models import Comment

pytestmark = pytest.mark.django_db


def comment_url(page, comment_id) -> str:
    return f"/api/threads/{page.pk}/comments/{comment_id}/"


def add(page, author, body="Hello"):
    return services.comment_create(
        page=page, user=author, body=body, client_id=f"c{Comment.objects.count()}"
    ).comment


def patch(client, url, payload, **extra):
    return client.patch(url, data=json.dumps(payload), content_type="application/json", **extra)


def test_edit_service_renders_marks_edited_and_keeps_the_source(post, staff):
    comment = add(post, staff, "Tpyo")

    edited = services.comment_edit(page=post, user=staff, comment_id=comment.pk, body="Typo **fixed**")

    edited.refresh_from_db()
    assert edited.body == "Typo **fixed**"
    assert edited.body_html == "<p>Typo <strong>fixed</strong></p>"
    assert edited.edited is not None


def test_patch_edits_own_comment_and_answers_with_the_source(post, staff):
    comment = add(post, staff, "First draft")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    client.get(post.url)
    token = client.cookies["csrftoken"].value

    response = patch(client, comment_url(post, comment.pk), {"body": "Second draft"}, HTTP_X_CSRFTOKEN=token)
    without_token = patch(client, comment_url(post, comment.pk), {"body": "Third"})

    data = response.json()["comment"]
    assert response.status_code == 200
    assert (data["body"], data["body_html"]) == ("Second draft", "<p>Second draft</p>")
    assert data["edited"] is not None
    assert (without_token.status_code, without_token.json()["error"]["code"]) == (403, "forbidden")
    assert Comment.objects.get().body == "Second draft"


def test_get_gives_the_source_to_its_author_and_editors_only(client, post, staff, pair, editor):
    comment = add(post, staff, "My **words**")
    url = comment_url(post, comment.pk)

    anonymous = client.get(url).json()["comment"]
    client.force_login(pair.first_member)
    other = client.get(url).json()["comment"]
    client.force_login(staff)
    author = client.get(url).json()["comment"]
    client.force_login(editor)
    moderator = client.get(url).json()["comment"]

    assert anonymous["body"] is None and other["body"] is None
    assert author["body"] == moderator["body"] == "My **words**"
    assert other["body_html"] == "<p>My <strong>words</strong></p>"


def test_editors_edit_anyone_s_comment(client, post, staff, editor):
    comment = add(post, staff, "Rude")
    client.force_login(editor)

    response = patch(client, comment_url(post, comment.pk), {"body": "[removed by an editor]"})

    assert response.status_code == 200
    assert Comment.objects.get().body == "[removed by an editor]"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"body": "   "}, 400, "empty"),
        ({"body": 5}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"body": "x" * 5001}, 413, "too_long"),
        (["body"], 400, "invalid"),
    ],
)
def test_patch_refusals_write_nothing(client, post, staff, payload, status, code):
    comment = add(post, staff, "Kept")
    client.force_login(staff)

    response = patch(client, comment_url(post, comment.pk), payload)

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert Comment.objects.get().body == "Kept" and Comment.objects.get().edited is None


def test_patch_not_yours_missing_and_signed_out(client, post, staff, pair):
    theirs = add(post, pair.first_member, "Theirs")
    deleted = add(post, staff, "Gone")
    services.comment_delete(page=post, user=staff, comment_id=deleted.pk)

    signed_out = patch(client, comment_url(post, theirs.pk), {"body": "x"})
    client.force_login(staff)
    not_yours = patch(client, comment_url(post, theirs.pk), {"body": "x"})
    missing = patch(client, comment_url(post, 999999), {"body": "x"})
    gone = patch(client, comment_url(post, deleted.pk), {"body": "x"})
    get_missing = client.get(comment_url(post, 999999))
    other_thread = client.get(f"/api/threads/999999/comments/{theirs.pk}/")

    assert (signed_out.status_code, signed_out.json()["error"]["code"]) == (401, "auth_required")
    assert (not_yours.status_code, not_yours.json()["error"]["code"]) == (403, "forbidden")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    assert gone.status_code == 404 and get_missing.status_code == 404 and other_thread.status_code == 404
    assert Comment.objects.get(pk=theirs.pk).body == "Theirs"
    assert client.post(comment_url(post, theirs.pk)).status_code == 405


def test_a_private_page_s_comment_is_not_read_or_edited_through_the_api(
    client, post, staff, django_capture_on_commit_callbacks
):
    comment = add(post, staff, "Mine")
    with django_capture_on_commit_callbacks(execute=True):  # the rule's cache hears of the restriction
        PageViewRestriction.objects.create(
            page=post, restriction_type=PageViewRestriction.PASSWORD, password="pw"
        )
    client.force_login(staff)

    response = patch(client, comment_url(post, comment.pk), {"body": "x"})

    assert response.status_code == 403
    assert client.get(comment_url(post, comment.pk)).status_code == 403
    assert Comment.objects.get().body == "Mine"


# --- the form, without JavaScript ------------------------------------------------------


def test_form_edit_starts_from_the_source_and_saves(
    client, post, staff, pair, django_capture_on_commit_callbacks
):
    comment = add(post, staff, "Say **hello** & <wave>")
    client.force_login(staff)

    page = client.get(post.url).content.decode()
    editing = client.get(f"{post.url}?edit={comment.pk}").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the thread's new version, as after a commit
        response = client.post(
            post.url, {"thread_form": "1", "action": "edit", "comment": str(comment.pk), "body": "Said it"}
        )

    assert f'href="?edit={comment.pk}#edit-{comment.pk}">Edit</a>' in page
    assert f'<textarea id="edit-{comment.pk}" name="body"' in editing
    assert "Say **hello** &amp; &lt;wave&gt;</textarea>" in editing
    assert response.status_code == 303
    assert response["Location"] == f"{post.url}#comment-{comment.pk}"
    after = client.get(post.url).content.decode()
    assert "Said it" in after and "(edited)" in after
    client.force_login(pair.first_member)
    assert f'id="edit-{comment.pk}"' not in client.get(f"{post.url}?edit={comment.pk}").content.decode()


def test_refused_form_edit_keeps_the_text_in_its_own_form(client, post, staff, pair):
    comment = add(post, staff, "Short")
    theirs = add(post, pair.first_member, "Theirs")
    client.force_login(staff)

    response = client.post(
        post.url, {"thread_form": "1", "action": "edit", "comment": str(comment.pk), "body": "y" * 5001}
    )
    not_yours = client.post(
        post.url, {"thread_form": "1", "action": "edit", "comment": str(theirs.pk), "body": "Mine"}
    )

    html = response.content.decode()
    assert response.status_code == 413
    assert '<details class="comment__edit" open>' in html
    assert "y" * 5001 + "</textarea>" in html
    assert 'name="body" rows="4"' in html and "y" * 5001 not in html.split('id="comment-body"')[1]
    assert not_yours.status_code == 403
    assert Comment.objects.get(pk=theirs.pk).body == "Theirs"
