"""Editing live, over real sockets: the edit reaches the others, the source only its author and editors."""

import pytest
from channels.db import database_sync_to_async

from blog.threads import services
from blog.threads.models import Comment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def add_comment(page, author, body):
    return services.comment_create(
        page=page, user=author, body=body, client_id=f"seed-{Comment.objects.count()}"
    ).comment


async def test_an_edit_reaches_the_other_socket_with_the_source_only_for_author_and_editors(
    ws, post, staff, pair, editor
):
    comment = await add_comment(post, staff, "Frist")
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)
    moderator = await ws(post, editor)
    anonymous = await ws(post)

    await sam.send({"type": "comment.edit", "id": comment.pk, "body": "First, **edited**"})
    seen = {
        "author": (await sam.expect("comment.updated"))["comment"],
        "other": (await amira.expect("comment.updated"))["comment"],
        "editor": (await moderator.expect("comment.updated"))["comment"],
        "anonymous": (await anonymous.expect("comment.updated"))["comment"],
    }

    assert {who: c["body_html"] for who, c in seen.items()} == dict.fromkeys(
        seen, "<p>First, <strong>edited</strong></p>"
    )
    assert all(c["edited"] for c in seen.values())
    assert seen["author"]["body"] == seen["editor"]["body"] == "First, **edited**"
    assert seen["other"]["body"] is None and seen["anonymous"]["body"] is None
    assert seen["author"]["client_id"] == comment.client_id and seen["editor"]["client_id"] is None
    # The snapshot a reconnecting client takes carries the same per-person fields.
    assert sam.snapshot["comments"][0]["body"] == "Frist"
    assert amira.snapshot["comments"][0]["body"] is None
    assert moderator.snapshot["comments"][0]["body"] == "Frist"


async def test_refused_edits_answer_the_sender_alone(ws, post, staff, pair):
    theirs = await add_comment(post, pair.first_member, "Theirs")
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)

    await sam.send({"type": "comment.edit", "id": theirs.pk, "body": "Mine now"})
    forbidden = await sam.expect("error")
    await sam.send({"type": "comment.edit", "id": theirs.pk, "body": " "})
    empty = await sam.expect("error")
    await sam.send({"type": "comment.edit", "id": "1", "body": "x"})
    invalid = await sam.expect("error")

    assert (forbidden["code"], empty["code"], invalid["code"]) == ("forbidden", "empty", "invalid")
    assert await amira.nothing()
