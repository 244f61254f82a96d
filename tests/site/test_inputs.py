"""Crafted input gets a clear refusal: no 500, no crashed socket, nothing written, no rate-limit slot used."""

import json

from django.test import Client

import pytest

from blog.threads.models import Comment
from tests.learning.conftest import learning_index, make_lesson  # noqa: F401

pytestmark = pytest.mark.django_db

DEEP = "[" * 20_000 + "]" * 20_000  # 40 kB, within the size limit


def api_url(page) -> str:
    return f"/api/threads/{page.pk}/comments/"


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, text: str):
    return client.post(url, data=text, content_type="application/json")


@pytest.mark.parametrize(
    "query", ["after=²", "before=²", "after=١٢", "after=99999999999999999999999", "after=-1", "before=1e3"]
)
def test_cursors_must_be_plain_ascii_ids_in_range(client, post, query):
    response = client.get(f"{api_url(post)}?{query}")

    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_a_page_id_past_any_database_range_is_simply_not_found(client):
    assert client.get("/api/threads/99999999999999999999999/comments/").status_code == 404


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (DEEP, "nested"),
        (json.dumps({"body": "\ud800 lone", "client_id": "c"}), "surrogate escape"),
        (json.dumps({"body": "nul \x00 byte", "client_id": "c"}), "NUL"),
        (json.dumps({"body": "fine", "client_id": "c\ud83d"}), "surrogate client_id"),
        (json.dumps({"body": "fine", "client_id": "c", "parent": 2**80}), "huge parent"),
    ],
)
def test_bodies_that_cannot_be_stored_are_refused_and_use_no_rate_limit_slot(
    post, staff, settings, text, why
):
    settings.COMMENT_RATE_LIMIT = 1
    client = signed_in_client(staff)

    refused = post_json(client, api_url(post), text)
    accepted = post_json(client, api_url(post), json.dumps({"body": "A real comment", "client_id": "ok"}))

    assert refused.status_code == 400, why
    assert refused.json()["error"]["code"] == "invalid", why
    assert accepted.status_code == 201, why  # the one allowed comment was still free
    assert list(Comment.objects.values_list("body", flat=True)) == ["A real comment"]


@pytest.mark.parametrize("parent", ["²", "١", "99999999999999999999999", "x"])
def test_the_no_javascript_form_refuses_a_crafted_parent_and_keeps_the_text(post, staff, parent):
    client = signed_in_client(staff)

    response = client.post(
        post.url,
        {"thread_form": "1", "action": "comment", "body": "Kept", "client_id": "f", "parent": parent},
    )

    assert response.status_code == 400
    assert "Kept" in response.content.decode() and not Comment.objects.exists()


def test_the_no_javascript_form_refuses_a_nul_in_the_body(post, staff):
    response = signed_in_client(staff).post(
        post.url, {"thread_form": "1", "action": "comment", "body": "a\x00b", "client_id": "f"}
    )

    assert response.status_code == 400 and not Comment.objects.exists()


@pytest.mark.parametrize("attempt", ["²", "١٢", "99999999999999999999999", "-3"])
def test_a_crafted_attempt_shows_the_lesson_without_results(make_lesson, staff, attempt):
    lesson = make_lesson(title="Tagging well")

    response = signed_in_client(staff).get(f"{lesson.url}?attempt={attempt}")

    assert response.status_code == 200 and "Tagging well" in response.content.decode()


@pytest.mark.parametrize("after", ["2026-01-01.²", "２０２６-01-01.3", "2026-01-01.99999999999999999999999"])
def test_a_crafted_stream_cursor_starts_the_stream_from_the_top(client, make_post, after):
    make_post(title="On wikis", tags=["Wikis"])

    response = client.get(f"/topics/wikis/?after={after}")

    assert response.status_code == 200 and "On wikis" in response.content.decode()


def test_a_nul_in_a_topic_address_or_search_is_no_error(client, make_post):
    make_post(title="On wikis", tags=["Wikis"])

    assert client.get("/topics/wi%00kis/").status_code == 404
    assert client.get("/search/?q=wi%00kis").status_code == 200


# --- over the WebSocket: an error frame, and the socket stays open ---------------------------


CRAFTED_FRAMES = [
    DEEP,
    '{"type": "comment.create", "body": "\\ud800", "client_id": "s", "parent": null}',
    '{"type": "comment.create", "body": "a\\u0000b", "client_id": "n", "parent": null}',
    '{"type": "comment.create", "body": "ok", "client_id": "p", "parent": 99999999999999999999999}',
    '{"type": "sync", "after": 1e400}',
    '{"type": "\\udfff"}',
    '{"\\ud800": 1, "type": "sync", "after": 0}',
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_crafted_frames_get_an_error_each_and_leave_the_socket_open(ws, post, staff, settings):
    settings.COMMENT_RATE_LIMIT = 1
    client = await ws(post, staff)

    codes = []
    for text in CRAFTED_FRAMES:
        await client.communicator.send_to(text_data=text)
        codes.append((await client.expect("error"))["code"])
    await client.send({"type": "comment.create", "body": "Still here", "client_id": "ok", "parent": None})

    assert codes == ["invalid"] * len(CRAFTED_FRAMES)
    assert (await client.expect("comment.created"))["comment"]["body_html"] == "<p>Still here</p>"
