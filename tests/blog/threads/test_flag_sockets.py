"""Flagging live, on real sockets: only the flagger hears of a flag; a hide at the threshold reaches all."""

import pytest
from channels.db import database_sync_to_async

from blog.factories import UserFactory
from blog.threads import services
from blog.threads.models import Comment, CommentFlag

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def add_comment(page, author, body="Hello"):
    return services.comment_create(
        page=page, user=author, body=body, client_id=f"seed-{Comment.objects.count()}"
    ).comment


@database_sync_to_async
def flags_kept():
    return list(CommentFlag.objects.order_by("id").values_list("flagger__username", "reason", "note"))


@database_sync_to_async
def hidden(comment) -> bool:
    return Comment.objects.get(pk=comment.pk).hidden


async def test_the_flagger_alone_hears_of_a_flag(ws, post, staff, pair, editor, settings):
    settings.COMMENT_FLAG_THRESHOLD = 3
    comment = await add_comment(post, pair.first_member, "Leaked figures")
    sam = await ws(post, staff)
    author = await ws(post, pair.first_member)
    ben = await ws(post, pair.second_member)
    moderator = await ws(post, editor)
    anonymous = await ws(post)

    frame = {"type": "comment.flag", "id": comment.pk, "reason": "confidential", "note": "  Q3 numbers "}
    await sam.send(frame)
    flagged = await sam.expect("comment.flagged")

    assert flagged["id"] == comment.pk
    assert set(flagged) == {"type", "id", "flag"}
    assert flagged["flag"]["reason"] == "confidential" and flagged["flag"]["note"] == "Q3 numbers"
    assert flagged["flag"]["created"].endswith("Z")
    for other in (author, ben, moderator, anonymous):
        assert await other.nothing()
    assert await sam.nothing()
    assert await flags_kept() == [("sam", "confidential", "Q3 numbers")]
    assert await hidden(comment) is False


async def test_flagging_again_answers_with_the_flag_kept_and_writes_nothing(ws, post, staff, pair):
    comment = await add_comment(post, pair.first_member)
    sam = await ws(post, staff)

    await sam.send({"type": "comment.flag", "id": comment.pk, "reason": "off_topic"})
    first = await sam.expect("comment.flagged")
    await sam.send({"type": "comment.flag", "id": comment.pk, "reason": "other", "note": "Changed my mind"})
    again = await sam.expect("comment.flagged")

    assert first["flag"] == {"reason": "off_topic", "note": "", "created": first["flag"]["created"]}
    assert again == first
    assert await flags_kept() == [("sam", "off_topic", "")]


async def test_at_the_threshold_everyone_gets_the_comment_hidden(ws, post, staff, pair, editor, settings):
    settings.COMMENT_FLAG_THRESHOLD = 2
    comment = await add_comment(post, pair.first_member, "Tags are for **fools**")
    first_flagger = await database_sync_to_async(UserFactory)(username="zed")
    zed = await ws(post, first_flagger)
    sam = await ws(post, staff)
    author = await ws(post, pair.first_member)
    moderator = await ws(post, editor)
    anonymous = await ws(post)

    await zed.send({"type": "comment.flag", "id": comment.pk, "reason": "disrespectful"})
    await zed.expect("comment.flagged")
    assert await sam.nothing() and await author.nothing()
    await sam.send({"type": "comment.flag", "id": comment.pk, "reason": "disrespectful", "note": "Rude"})
    flagged = await sam.expect("comment.flagged")
    seen = {
        "flagger": (await sam.expect("comment.updated"))["comment"],
        "first flagger": (await zed.expect("comment.updated"))["comment"],
        "author": (await author.expect("comment.updated"))["comment"],
        "editor": (await moderator.expect("comment.updated"))["comment"],
        "anonymous": (await anonymous.expect("comment.updated"))["comment"],
    }

    assert flagged["id"] == comment.pk
    assert all(c["id"] == comment.pk and c["hidden"] is True for c in seen.values())
    assert seen["editor"]["body_html"] == "<p>Tags are for <strong>fools</strong></p>"
    assert seen["editor"]["body"] == "Tags are for **fools**"
    assert {who: c["body_html"] for who, c in seen.items() if who != "editor"} == dict.fromkeys(
        ("flagger", "first flagger", "author", "anonymous"), ""
    )
    assert seen["author"]["body"] == "Tags are for **fools**" and seen["anonymous"]["body"] is None
    assert await hidden(comment) is True
    # Hidden now, so a reader's flag finds nothing to flag (as for a reply or a reaction).
    ben = await ws(post, pair.second_member)
    await ben.send({"type": "comment.flag", "id": comment.pk, "reason": "off_topic"})
    assert (await ben.expect("error"))["code"] == "not_found"


async def test_editors_are_notified_live_of_a_flag(ws, post, staff, pair, editor):
    comment = await add_comment(post, pair.first_member, "Hmm")
    editor_feed = await ws("/ws/notifications/", editor)
    sam = await ws(post, staff)

    await sam.send({"type": "comment.flag", "id": comment.pk, "reason": "off_topic"})
    await sam.expect("comment.flagged")
    notice = await editor_feed.receive()

    assert notice["type"] == "notification" and notice["notification"]["kind"] == "flagged"
    assert notice["notification"]["text"].startswith("Sam Kowalski flagged a comment by Amira Haddad")
    assert notice["notification"]["url"] == "/admin/comment-review/"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"reason": "spam"}, "invalid"),
        ({"reason": None}, "invalid"),
        ({}, "invalid"),
        ({"reason": "other", "note": "   "}, "empty"),
        ({"reason": "off_topic", "note": 7}, "invalid"),
        ({"reason": "off_topic", "note": "x" * 501}, "too_long"),
        ({"reason": "off_topic", "id": "1"}, "invalid"),
        ({"reason": "off_topic", "id": None}, "invalid"),
        ({"reason": "off_topic", "id": 2**63}, "invalid"),
        ({"reason": "off_topic", "id": 999999}, "not_found"),
        ({"reason": "off_topic", "own": True}, "forbidden"),
    ],
)
async def test_refused_flags_answer_an_error_and_keep_the_socket(ws, post, staff, pair, frame, code):
    theirs = await add_comment(post, pair.first_member, "Theirs")
    mine = await add_comment(post, staff, "Mine")
    sam = await ws(post, staff)
    author = await ws(post, pair.first_member)
    message = {"type": "comment.flag", "id": mine.pk if frame.pop("own", False) else theirs.pk, **frame}

    await sam.send(message)
    error = await sam.expect("error")
    await sam.send({"type": "comment.flag", "id": theirs.pk, "reason": "off_topic"})
    still_open = await sam.expect("comment.flagged")

    assert error["code"] == code and error["message"]
    assert error["client_id"] is None
    assert still_open["id"] == theirs.pk
    assert await flags_kept() == [("sam", "off_topic", "")]
    assert await author.nothing()


async def test_anonymous_readers_cannot_flag(ws, post, pair):
    comment = await add_comment(post, pair.first_member)
    reader = await ws(post)

    await reader.send({"type": "comment.flag", "id": comment.pk, "reason": "off_topic"})

    assert (await reader.expect("error"))["code"] == "auth_required"
    assert await flags_kept() == []


async def test_flags_over_the_rate_limit_answer_retry_after(ws, post, staff, pair, settings, rate_clock_held):
    settings.COMMENT_FLAG_RATE_LIMIT = 1
    first = await add_comment(post, pair.first_member, "One")
    second = await add_comment(post, pair.first_member, "Two")
    sam = await ws(post, staff)

    await sam.send({"type": "comment.flag", "id": first.pk, "reason": "off_topic"})
    await sam.expect("comment.flagged")
    await sam.send({"type": "comment.flag", "id": second.pk, "reason": "off_topic"})
    limited = await sam.expect("error")
    await sam.send({"type": "comment.flag", "id": first.pk, "reason": "off_topic"})
    repeat = await sam.expect("comment.flagged")

    assert limited["code"] == "rate_limited" and limited["retry_after"] >= 1
    assert repeat["id"] == first.pk
    assert len(await flags_kept()) == 1
