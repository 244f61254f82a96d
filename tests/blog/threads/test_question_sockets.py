"""Questions, answers and "both authors here", live over real sockets (docs/threads-protocol.md)."""

import pytest
from channels.db import database_sync_to_async

from blog.factories import UserFactory
from blog.threads import services
from blog.threads.models import Comment, Notification
from blog.threads.presence import _summary

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def created(client, client_id=None):
    frame = await client.expect("comment.created")
    assert client_id is None or frame["comment"]["client_id"] in (client_id, None)
    return frame["comment"]


async def test_question_answer_and_unmark_reach_every_socket(ws, post, staff, pair):
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)
    ben = await ws(post, pair.second_member)

    await sam.send(
        {"type": "comment.create", "body": "Why tags?", "parent": None, "client_id": "q1", "question": True}
    )
    question = await created(sam)
    assert question["question"] is True and question["answer"] is None
    assert (await created(amira))["question"] is True
    await created(ben)

    await ben.send(
        {"type": "comment.create", "body": "Search finds them.", "parent": question["id"], "client_id": "a1"}
    )
    answer = await created(ben)
    for client in (sam, amira):
        await created(client)

    await amira.send({"type": "comment.answer", "question": question["id"], "answer": answer["id"]})
    expected = {
        "type": "comment.answered",
        "question": question["id"],
        "answer": {
            "id": answer["id"],
            "author": {"username": "ben", "name": "Ben Okafor", "url": "/people/ben/"},
            "body_html": "<p>Search finds them.</p>",
        },
        "previous": None,
    }
    for client in (sam, amira, ben):
        assert await client.expect("comment.answered") == expected

    # A client that comes back catches up from the snapshot.
    again = await ws(post, staff)
    comments = {c["id"]: c for c in again.snapshot["comments"]}
    assert comments[question["id"]]["answer"] == expected["answer"]
    assert comments[answer["id"]]["answer_to"] == question["id"]
    await again.close()

    await ben.send({"type": "comment.answer", "question": question["id"], "answer": None})
    for client in (sam, amira, ben):
        unmarked = await client.expect("comment.answered")
        assert unmarked == {
            "type": "comment.answered",
            "question": question["id"],
            "answer": None,
            "previous": answer["id"],
        }

    kinds = await database_sync_to_async(
        lambda: sorted(
            Notification.objects.filter(comment_id=question["id"]).values_list("recipient__username", "kind")
        )
    )()
    assert kinds == [("amira", "question"), ("ben", "question"), ("sam", "answered")]


async def test_deleting_the_answer_reopens_the_question_live(ws, post, staff, pair):
    @database_sync_to_async
    def seed():
        question = services.comment_create(
            page=post, user=staff, body="?", client_id="q", question=True
        ).comment
        answer = services.comment_create(
            page=post, user=pair.first_member, body="!", client_id="a", parent_id=question.pk
        ).comment
        return question, answer

    question, answer = await seed()
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)
    await amira.send({"type": "comment.answer", "question": question.pk, "answer": answer.pk})
    await sam.expect("comment.answered")

    await amira.send({"type": "comment.delete", "id": answer.pk})

    assert await sam.expect("comment.answered") == {
        "type": "comment.answered",
        "question": question.pk,
        "answer": None,
        "previous": answer.pk,
    }
    assert await sam.expect("comment.deleted") == {"type": "comment.deleted", "id": answer.pk}


async def test_only_hosts_and_editors_mark_and_refusals_keep_the_socket(ws, post, staff, pair):
    @database_sync_to_async
    def seed():
        question = services.comment_create(
            page=post, user=staff, body="?", client_id="q", question=True
        ).comment
        answer = services.comment_create(
            page=post, user=staff, body="Solved it", client_id="a", parent_id=question.pk
        )
        return question, answer.comment, UserFactory(username="zoe")

    question, answer, stranger = await seed()
    for person in (staff, stranger):
        client = await ws(post, person)
        await client.send({"type": "comment.answer", "question": question.pk, "answer": answer.pk})
        error = await client.expect("error")
        assert error["code"] == "forbidden"
        await client.send({"type": "sync", "after": 0})  # still open
        await client.expect("thread.sync")
    anonymous = await ws(post, None)
    await anonymous.send({"type": "comment.answer", "question": question.pk, "answer": answer.pk})
    assert (await anonymous.expect("error"))["code"] == "auth_required"
    assert await database_sync_to_async(lambda: Comment.objects.filter(accepted=True).count())() == 0


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "comment.answer"}, "invalid"),
        ({"type": "comment.answer", "question": "QID"}, "invalid"),
        ({"type": "comment.answer", "question": "1", "answer": None}, "invalid"),
        ({"type": "comment.answer", "question": None, "answer": None}, "invalid"),
        ({"type": "comment.answer", "question": True, "answer": None}, "invalid"),
        ({"type": "comment.answer", "question": -1, "answer": None}, "invalid"),
        ({"type": "comment.answer", "question": "QID", "answer": 2**64}, "invalid"),
        ({"type": "comment.answer", "question": "QID", "answer": [1]}, "invalid"),
        ({"type": "comment.answer", "question": "QID", "answer": "QID"}, "invalid"),
        ({"type": "comment.answer", "question": 2**63 - 1, "answer": None}, "not_found"),
        ({"type": "comment.answer", "question": "QID", "answer": 2**63 - 1}, "not_found"),
        (
            {"type": "comment.create", "body": "?", "parent": None, "client_id": "x", "question": "yes"},
            "invalid",
        ),
        (
            {"type": "comment.create", "body": "?", "parent": "QID", "client_id": "y", "question": True},
            "invalid",
        ),
    ],
)
async def test_bad_answer_messages_are_clear_errors(ws, post, staff, pair, frame, code):
    question = await database_sync_to_async(
        lambda: services.comment_create(page=post, user=staff, body="?", client_id="q", question=True).comment
    )()
    amira = await ws(post, pair.first_member)

    await amira.send({key: question.pk if value == "QID" else value for key, value in frame.items()})

    assert (await amira.expect("error"))["code"] == code
    await amira.send({"type": "sync", "after": 0})
    assert len((await amira.expect("thread.sync"))["comments"]) == 1


# --- both authors here -----------------------------------------------------------------------------


async def presence_until(client, hosts_here: bool, count: int):
    while True:
        frame = await client.expect("presence")
        if frame["count"] == count:
            assert frame["hosts_here"] is hosts_here, frame
            return frame


async def test_both_authors_here_appears_and_disappears_with_the_second_member(ws, post, staff, pair):
    sam = await ws(post, staff)
    assert sam.snapshot["presence"]["hosts_here"] is False
    await ws(post, pair.first_member)
    await presence_until(sam, False, 2)

    ben = await ws(post, pair.second_member)
    assert ben.snapshot["presence"]["hosts_here"] is True  # the newcomer's own snapshot says so
    await presence_until(sam, True, 3)

    await ben.close()
    await presence_until(sam, False, 2)


def test_hosts_here_counts_everyone_not_only_the_twenty_named():
    crowd = {n: (f"Aaron {n:02}", f"a{n}") for n in range(3, 30)}
    hosts = frozenset({1, 2})

    summary = _summary({**crowd, 1: ("Zora", "zora"), 2: ("Zeb", "zeb")}, hosts)

    assert summary["hosts_here"] is True and "Zora" not in summary["users"]
    assert _summary({**crowd, 1: ("Zora", "zora")}, hosts)["hosts_here"] is False
    assert _summary(crowd, frozenset())["hosts_here"] is False  # a page without hosts (editors only)
    assert _summary(crowd, None)["hosts_here"] is False
