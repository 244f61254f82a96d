"""The WebSocket protocol of docs/threads-protocol.md, through the real ASGI application."""

import asyncio
import contextlib

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from blog.factories import UserFactory
from blog.threads import access, consumers, presence, services, snapshots
from blog.threads.consumers import ThreadConsumer
from blog.threads.errors import ThreadError
from blog.threads.models import Comment, Presence
from blog.threads.sockets import CLOSE_BUSY
from site import kept
from site.asgi import application
from site.kept import KeptReads
from tests.blog.conftest import ORIGIN, session_key_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def add_comment(page, author, body="Hello", client_id=None, parent=None):
    result = services.comment_create(
        page=page,
        user=author,
        body=body,
        client_id=client_id or f"seed-{Comment.objects.count()}",
        parent_id=parent,
    )
    return result.comment


@database_sync_to_async
def sign_out(session_key):
    SessionStore(session_key).delete()


# --- handshake ------------------------------------------------------------------------


async def test_snapshot_on_connect_lists_comments_oldest_first_with_presence(ws, post, staff, pair):
    first = await add_comment(post, pair.first_member, "First")
    second = await add_comment(post, staff, "Second")

    client = await ws(post, staff)

    snapshot = client.snapshot
    assert snapshot["thread"] == post.pk
    assert [c["id"] for c in snapshot["comments"]] == [first.pk, second.pk]
    assert snapshot["last_id"] == second.pk
    assert snapshot["has_more"] is False
    assert snapshot["presence"] == {
        "count": 1,
        "users": ["Sam Kowalski"],
        "people": [{"username": "sam", "name": "Sam Kowalski", "url": "/people/sam/"}],
        "hosts_here": False,
    }
    mine, theirs = snapshot["comments"][1], snapshot["comments"][0]
    assert mine["client_id"] == second.client_id
    assert theirs["client_id"] is None
    assert theirs["author"] == {"username": "amira", "name": "Amira Haddad", "url": "/people/amira/"}
    assert theirs["body_html"] == "<p>First</p>"
    assert theirs["reactions"] == {"like": 0, "learned": 0, "insightful": 0, "question": 0}
    assert theirs["created"].endswith("Z")
    assert set(theirs) == {
        "id",
        "thread",
        "parent",
        "author",
        "body_html",
        "body",
        "created",
        "edited",
        "deleted",
        "hidden",
        "reactions",
        "client_id",
        "question",
        "answer",
        "answer_to",
        "became",
    }
    assert (theirs["question"], theirs["answer"], theirs["answer_to"]) == (False, None, None)
    # The Markdown source goes to its author alone (and editors).
    assert (mine["body"], theirs["body"]) == ("Second", None)
    assert theirs["became"] is None


async def test_snapshot_holds_newest_hundred_and_sync_pages_back(ws, post, staff):
    @database_sync_to_async
    def seed():
        Comment.objects.bulk_create(
            Comment(page=post, author=staff, body=f"c{n}", body_html=f"<p>c{n}</p>", client_id=f"c{n}")
            for n in range(130)
        )
        return list(Comment.objects.filter(page=post).order_by("id").values_list("id", flat=True))

    ids = await seed()
    client = await ws(post, staff)

    assert [c["id"] for c in client.snapshot["comments"]] == ids[30:]
    assert client.snapshot["has_more"] is True

    await client.send({"type": "sync", "before": ids[30]})
    older = await client.expect("thread.sync")
    assert [c["id"] for c in older["comments"]] == ids[:30]
    assert older["has_more"] is False

    await client.send({"type": "sync", "after": ids[99]})
    newer = await client.expect("thread.sync")
    assert [c["id"] for c in newer["comments"]] == ids[100:]
    assert newer["last_id"] == ids[-1]
    assert newer["has_more"] is False


async def test_sync_after_last_id_is_empty_and_keeps_socket_open(ws, post, staff):
    comment = await add_comment(post, staff)
    client = await ws(post, staff)

    await client.send({"type": "sync", "after": comment.pk})
    frame = await client.expect("thread.sync")

    assert frame == {"type": "thread.sync", "comments": [], "last_id": None, "has_more": False}


def cookie_scope(user) -> dict:
    """A handshake's scope as far as the consumer reads it: the session cookie of ``user`` (None: none)."""
    if user is None:
        return {"headers": []}
    return {"headers": [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key_for(user)}".encode())]}


def handshake_queries(page, user, channel_name: str) -> list[str]:
    """The SQL of one handshake's trip to the database (``ThreadConsumer._open``)."""
    consumer = ThreadConsumer()
    consumer.scope = cookie_scope(user)
    consumer.page_id, consumer.channel_name, consumer.signed_out = page.pk, channel_name, False
    with CaptureQueriesContext(connection) as captured:
        snapshot, here, _ = consumer._open({})
    assert here["count"] >= 1 and snapshot.comments
    return [query["sql"] for query in captured.captured_queries]


def handshake_reads(page, user, channel_name: str) -> int:
    return len(handshake_queries(page, user, channel_name))


def test_handshakes_in_one_privacy_epoch_read_the_page_once(
    post, staff, pair, django_capture_on_commit_callbacks, monkeypatch
):
    services.comment_create(page=post, user=pair.first_member, body="Early", client_id="e")

    def page_reads(user, channel_name: str) -> int:
        return sum('FROM "wagtailcore_page"' in sql for sql in handshake_queries(post, user, channel_name))

    assert page_reads(staff, "test.first") == 1
    assert page_reads(staff, "test.second") == 0  # another tab: the page as the first read it
    clock = kept.time.monotonic() + access.HANDSHAKE_PAGE_SECONDS
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock)
    assert page_reads(staff, "test.later") == 1  # kept for a moment only
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):  # unpublishing moves the epoch
        post.unpublish()
    with pytest.raises(ThreadError) as refused:
        handshake_queries(post, staff, "test.third")
    assert refused.value.code == "not_found"


def opened(page, user, channel_name: str):
    """One handshake's snapshot (``ThreadConsumer._open``) and the SQL it ran; ``user`` None is anonymous."""
    consumer = ThreadConsumer()
    consumer.scope = cookie_scope(user)
    consumer.page_id, consumer.channel_name, consumer.signed_out = page.pk, channel_name, False
    with CaptureQueriesContext(connection) as captured:
        snapshot, _, _ = consumer._open({})
    return snapshot, [query["sql"] for query in captured.captured_queries]


def comment_reads(sqls: list[str]) -> int:
    return sum('FROM "blog_comment"' in sql for sql in sqls)


def test_a_crowd_shares_one_read_of_the_newest_comments_each_as_they_may_see_it(
    post, staff, pair, editor, monkeypatch
):
    mine = services.comment_create(page=post, user=staff, body="Mine **here**", client_id="m").comment
    rude = services.comment_create(page=post, user=pair.first_member, body="Rude", client_id="r").comment
    services.comment_hide(page=post, user=editor, comment_id=rude.pk, hidden=True)

    first, first_sqls = opened(post, None, "test.anonymous")
    author, author_sqls = opened(post, staff, "test.author")
    moderator, _ = opened(post, editor, "test.editor")

    assert comment_reads(first_sqls) == 1 and comment_reads(author_sqls) == 0
    by_id = {
        view: {c["id"]: c for c in batch.comments}
        for view, batch in (("a", first), ("s", author), ("e", moderator))
    }
    assert by_id["a"][mine.pk]["body"] is None and by_id["a"][mine.pk]["client_id"] is None
    assert by_id["s"][mine.pk]["body"] == "Mine **here**" and by_id["s"][mine.pk]["client_id"] == "m"
    assert by_id["e"][mine.pk]["body"] == "Mine **here**" and by_id["e"][mine.pk]["client_id"] is None
    assert by_id["a"][rude.pk]["body_html"] == "" and by_id["s"][rude.pk]["body_html"] == ""
    assert "Rude" in by_id["e"][rude.pk]["body_html"]

    # A committed change is read by the next handshake (the version moves before its frame).
    later = services.comment_create(page=post, user=pair.second_member, body="Later", client_id="l").comment
    after, after_sqls = opened(post, None, "test.after")
    assert comment_reads(after_sqls) == 1 and after.comments[-1]["id"] == later.pk
    services.reaction_toggle(page=post, user=staff, comment_id=later.pk, kind="like")
    reacted, _ = opened(post, None, "test.reacted")
    assert reacted.comments[-1]["reactions"]["like"] == 1

    # What nothing announces (a new name) is read again once the kept snapshot is old.
    pair.second_member.first_name = "Renamed"
    pair.second_member.save()
    clock = kept.time.monotonic() + snapshots.KEEP_SECONDS
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock)
    renamed, renamed_sqls = opened(post, None, "test.renamed")
    assert comment_reads(renamed_sqls) == 1
    assert renamed.comments[-1]["author"]["name"].startswith("Renamed")


def test_without_the_cache_every_handshake_reads_the_comments(post, staff, monkeypatch):
    services.comment_create(page=post, user=staff, body="Hello", client_id="h")
    monkeypatch.setattr(snapshots, "thread_version", lambda page_id: None)  # as when Redis is unreachable

    reads = [comment_reads(opened(post, None, f"test.{n}")[1]) for n in range(2)]

    assert reads == [1, 1]


def test_a_handshake_reads_in_a_fixed_number_of_queries(post, staff, pair, monkeypatch):
    """Person (editor or not with it), page, comments, reactions, who is here and the hosts.

    Measured with nothing kept from an earlier handshake. The session is read
    from the cache; the socket's own presence row is written later, with the
    next presence notice.
    """
    monkeypatch.setattr(snapshots, "thread_version", lambda page_id: None)  # the comments read every time
    monkeypatch.setattr(access, "_handshake_pages", KeptReads(seconds=0, size=1))  # the page too
    for n in range(2):
        services.comment_create(page=post, user=pair.first_member, body=f"Early {n}", client_id=f"e{n}")
    presence.presence_join_many({"test.host": (post.pk, pair.first_member.pk)})  # two people here with staff:
    handshake_reads(post, pair.first_member, "test.host")  # the page's hosts are asked too
    presence._recent.clear()  # both counts read who is here afresh, as after two quiet seconds
    few = handshake_reads(post, staff, "test.first")

    for n in range(30):
        author = UserFactory(username=f"reader{n}")
        services.comment_create(page=post, user=author, body=f"Later {n}", client_id=f"l{n}")
        presence.presence_join_many({f"test.reader{n}": (post.pk, author.pk)})
    presence._recent.clear()
    many = handshake_reads(post, staff, "test.again")

    assert few <= 7
    assert not [sql for sql in handshake_queries(post, staff, "test.last") if not sql.startswith("SELECT")]
    assert many <= few  # 32 comments and 32 people present cost no more queries than 2 and 2


def test_kept_reads_let_go_of_what_is_past_its_time_once_another_is_kept(monkeypatch):
    reads, clock = KeptReads(seconds=2, size=10), [100.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock[0])
    reads.get("busy thread", "v1", lambda: "comments")
    clock[0] += 3

    reads.get("another thread", "v1", lambda: "more comments")

    assert list(reads._entries) == ["another thread"]  # the memory of the first is freed, not just unused


def test_a_crowd_asks_the_pages_hosts_once_per_summary_of_who_is_here(post, staff, pair, editor, monkeypatch):
    still = presence.time.monotonic()
    monkeypatch.setattr(presence.time, "monotonic", lambda: still)  # one summary, however slow the machine
    services.comment_create(page=post, user=staff, body="Here", client_id="h")

    def host_reads(user, channel_name: str) -> int:  # the post's hosts: its pair's two members
        return sum('"blog_mentorpair"' in sql for sql in handshake_queries(post, user, channel_name))

    handshake_reads(post, staff, "test.alone")
    # The next presence notice writes staff's row and reads who is here: one person, hosts not asked.
    presence._summaries_now([post.pk], {"test.alone": (post.pk, staff.pk)})
    assert host_reads(pair.first_member, "test.second") == 1
    assert host_reads(editor, "test.third") == 0  # the same summary: asked already


async def test_a_handshake_not_let_in_in_time_is_answered_busy_and_the_next_gets_in(
    ws, post, staff, monkeypatch
):
    """When the database thread is taken by other handshakes for too long: 4013, not silence."""
    monkeypatch.setattr(consumers, "ADMIT_SECONDS", 0.05)
    gate = consumers.HANDSHAKES
    async with contextlib.AsyncExitStack() as taken:
        for _ in range(gate.width):  # every place at the gate held by handshakes that do not finish
            await taken.enter_async_context(gate.admitted())
        communicator = WebsocketCommunicator(
            application, f"/ws/threads/{post.pk}/", headers=[(b"origin", ORIGIN)]
        )
        connected, _ = await communicator.connect(timeout=5)
        closed = await communicator.receive_output(timeout=3)
        await communicator.wait()

    assert connected
    assert closed == {"type": "websocket.close", "code": CLOSE_BUSY}
    reader = await ws(post, staff)  # the gate is free again: let in, with its snapshot
    assert reader.snapshot["thread"] == post.pk


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null"], ids=["foreign-origin", "null-origin"])
async def test_handshake_refused_from_foreign_origin(ws, post, staff, origin):
    await ws(post, staff, origin=origin, expect_accept=False)


async def test_handshake_refused_for_draft_missing_and_threadless_pages(ws, post, staff, blog_index):
    @database_sync_to_async
    def unpublish():
        post.unpublish()

    await ws("/ws/threads/999999/", staff, expect_accept=False)
    await ws(blog_index, staff, expect_accept=False)
    await unpublish()
    await ws(post, staff, expect_accept=False)


async def test_private_pages_refuse_who_may_not_view_them(ws, post, staff, editor):
    @database_sync_to_async
    def restrict(kind):
        PageViewRestriction.objects.filter(page=post).delete()
        restriction = PageViewRestriction.objects.create(page=post, restriction_type=kind)
        if kind == PageViewRestriction.GROUPS:
            restriction.groups.add(Group.objects.get(name="Editors"))

    await restrict(PageViewRestriction.LOGIN)
    await ws(post, None, expect_accept=False)
    await ws(post, staff)

    await restrict(PageViewRestriction.GROUPS)
    await ws(post, staff, expect_accept=False)
    await ws(post, editor)


# --- comments ------------------------------------------------------------------------


async def test_comment_reaches_everyone_with_client_id_only_for_its_author(ws, post, staff, pair):
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)
    reader = await ws(post)

    await sam.send(
        {"type": "comment.create", "body": "Is **tagging** worth it?", "parent": None, "client_id": "c-1"}
    )

    for client, client_id in ((sam, "c-1"), (amira, None), (reader, None)):
        comment = (await client.expect("comment.created"))["comment"]
        assert comment["body_html"] == "<p>Is <strong>tagging</strong> worth it?</p>"
        assert comment["client_id"] == client_id
        assert comment["author"]["username"] == "sam"


async def test_same_client_id_creates_nothing_new_and_answers_only_the_sender(ws, post, staff, pair):
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)
    frame = {"type": "comment.create", "body": "Once", "parent": None, "client_id": "retry-me"}

    await sam.send(frame)
    first = (await sam.expect("comment.created"))["comment"]
    await amira.expect("comment.created")
    await sam.send(frame)
    again = (await sam.expect("comment.created"))["comment"]

    assert again == first
    assert await amira.nothing()
    assert await database_sync_to_async(Comment.objects.filter(page=post).count)() == 1


async def test_reply_and_unknown_parent(ws, post, staff, pair):
    root = await add_comment(post, pair.first_member, "Root")
    sam = await ws(post, staff)

    await sam.send({"type": "comment.create", "body": "Reply", "parent": root.pk, "client_id": "r-1"})
    reply = (await sam.expect("comment.created"))["comment"]
    await sam.send({"type": "comment.create", "body": "Lost", "parent": 999999, "client_id": "r-2"})
    error = await sam.expect("error")

    assert reply["parent"] == root.pk
    assert error["code"] == "not_found"
    assert error["client_id"] == "r-2"


async def test_edit_own_comment_and_editors_edit_any(ws, post, staff, pair, editor):
    mine = await add_comment(post, staff, "Typo")
    theirs = await add_comment(post, pair.first_member, "Theirs")
    sam = await ws(post, staff)
    moderator = await ws(post, editor)

    await sam.send({"type": "comment.edit", "id": mine.pk, "body": "Fixed"})
    updated = (await moderator.expect("comment.updated"))["comment"]
    await sam.expect("comment.updated")
    await sam.send({"type": "comment.edit", "id": theirs.pk, "body": "Mine now"})
    refused = await sam.expect("error")
    await moderator.send({"type": "comment.edit", "id": theirs.pk, "body": "Tidied"})
    tidied = (await sam.expect("comment.updated"))["comment"]

    assert updated["body_html"] == "<p>Fixed</p>"
    assert updated["edited"] is not None
    assert refused["code"] == "forbidden"
    assert tidied["body_html"] == "<p>Tidied</p>"


async def test_delete_tells_everyone_and_a_second_delete_is_not_found(ws, post, staff, pair):
    mine = await add_comment(post, staff)
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)

    await amira.send({"type": "comment.delete", "id": mine.pk})
    refused = await amira.expect("error")
    await sam.send({"type": "comment.delete", "id": mine.pk})
    deleted = await amira.expect("comment.deleted")
    await sam.expect("comment.deleted")
    await sam.send({"type": "comment.delete", "id": mine.pk})
    again = await sam.expect("error")

    assert refused["code"] == "forbidden"
    assert deleted == {"type": "comment.deleted", "id": mine.pk}
    assert again["code"] == "not_found"
    await sam.send({"type": "sync", "after": 0})
    listed = (await sam.expect("thread.sync"))["comments"][0]
    assert listed["deleted"] is True
    assert listed["body_html"] == ""


async def test_hide_is_for_editors_and_hidden_bodies_reach_only_editors(ws, post, staff, pair, editor):
    comment = await add_comment(post, pair.first_member, "Off topic")
    sam = await ws(post, staff)
    author = await ws(post, pair.first_member)
    moderator = await ws(post, editor)

    await sam.send({"type": "comment.hide", "id": comment.pk, "hidden": True})
    refused = await sam.expect("error")
    await moderator.send({"type": "comment.hide", "id": comment.pk, "hidden": True})
    seen_by = {
        "staff": (await sam.expect("comment.updated"))["comment"],
        "author": (await author.expect("comment.updated"))["comment"],
        "editor": (await moderator.expect("comment.updated"))["comment"],
    }
    await moderator.send({"type": "comment.hide", "id": comment.pk, "hidden": False})
    shown = (await sam.expect("comment.updated"))["comment"]

    assert refused["code"] == "forbidden"
    assert all(c["hidden"] for c in seen_by.values())
    assert seen_by["staff"]["body_html"] == "" and seen_by["author"]["body_html"] == ""
    assert seen_by["editor"]["body_html"] == "<p>Off topic</p>"
    assert seen_by["author"]["client_id"] == comment.client_id
    assert shown["hidden"] is False and shown["body_html"] == "<p>Off topic</p>"
    await sam.send({"type": "comment.hide", "id": comment.pk, "hidden": "yes"})
    assert (await sam.expect("error"))["code"] == "invalid"


async def test_reaction_toggles_and_counts_reach_everyone(ws, post, staff, pair):
    comment = await add_comment(post, pair.first_member)
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)

    await sam.send({"type": "reaction.toggle", "id": comment.pk, "reaction": "learned"})
    on = await amira.expect("comment.reactions")
    await sam.expect("comment.reactions")
    await sam.send({"type": "reaction.toggle", "id": comment.pk, "reaction": "learned"})
    off = await amira.expect("comment.reactions")
    await sam.expect("comment.reactions")
    await sam.send({"type": "reaction.toggle", "id": comment.pk, "reaction": "love"})
    bad = await sam.expect("error")

    assert on == {
        "type": "comment.reactions",
        "id": comment.pk,
        "reactions": {"like": 0, "learned": 1, "insightful": 0, "question": 0},
    }
    assert off["reactions"]["learned"] == 0
    assert bad["code"] == "invalid"


async def test_typing_reaches_others_at_most_once_in_three_seconds(ws, post, staff, pair):
    sam = await ws(post, staff)
    amira = await ws(post, pair.first_member)

    await sam.send({"type": "typing"})
    notice = await amira.expect("typing")
    await sam.send({"type": "typing"})

    assert notice == {"type": "typing", "user": "Sam Kowalski"}
    assert await amira.nothing()
    assert await sam.nothing()


async def test_presence_counts_people_not_tabs(ws, post, staff, pair):
    sam = await ws(post, staff)
    own_join = await sam.expect("presence")
    await ws(post, staff)  # a second tab
    second_tab = await sam.expect("presence")
    amira = await ws(post, pair.first_member)
    joined = await sam.expect("presence")
    await amira.close()
    left = await sam.expect("presence")

    sam_person = {"username": "sam", "name": "Sam Kowalski", "url": "/people/sam/"}
    sam_only = {"count": 1, "users": ["Sam Kowalski"], "people": [sam_person], "hosts_here": False}
    assert own_join == second_tab == {"type": "presence", **sam_only}
    assert joined["count"] == 2 and joined["users"] == ["Amira Haddad", "Sam Kowalski"]
    assert left["count"] == 1


@database_sync_to_async
def presence_rows():
    return sorted(Presence.objects.values_list("page_id", "user__username"))


async def test_presence_rows_are_written_with_the_next_notice_and_only_for_sockets_still_here(
    ws, post, staff, pair, monkeypatch
):
    sam = await ws(post, staff)
    await sam.expect("presence")  # the turn that sent it wrote Sam's row first
    assert await presence_rows() == [(post.pk, "sam")]

    monkeypatch.setattr(presence.PresenceNotices, "COALESCE_SECONDS", 3600)  # no further turn runs
    amira = await ws(post, pair.first_member)
    assert amira.snapshot["presence"]["count"] == 2  # her own snapshot counts her already
    ben = await ws(post, pair.second_member)  # and the next one counts her, row or not
    assert ben.snapshot["presence"]["users"] == ["Amira Haddad", "Ben Okafor", "Sam Kowalski"]
    await amira.close()  # gone before her row was written: there is none to write or delete
    await ben.close()
    presence.NOTICES.task.cancel()
    presence.NOTICES.pending.clear()

    assert presence.NOTICES.joins == {}
    assert await presence_rows() == [(post.pk, "sam")]


async def test_rows_a_failed_notice_did_not_write_are_written_by_the_next(post, staff, monkeypatch):
    notices = presence.PresenceNotices()
    monkeypatch.setattr(notices, "COALESCE_SECONDS", 0)
    monkeypatch.setattr(presence.HEARTBEAT, "channels", {"test.here"})  # "test.gone" has left meanwhile
    real = presence._summaries_now

    def unavailable(page_ids, joins):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(presence, "_summaries_now", unavailable)
    notices.joined(page_id=post.pk, user_id=staff.pk, channel_name="test.here")
    notices.joined(page_id=post.pk, user_id=staff.pk, channel_name="test.gone")
    await notices.task
    assert notices.joins == {"test.here": (post.pk, staff.pk)}

    monkeypatch.setattr(presence, "_summaries_now", real)
    notices.changed(post.pk)
    await notices.task

    assert notices.joins == {}
    assert await database_sync_to_async(
        lambda: list(Presence.objects.values_list("channel_name", flat=True))
    )() == ["test.here"]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '["a list"]',
        '{"no": "type"}',
        '{"type": "dance"}',
        '{"type": "sync", "after": "7"}',
        '{"type": "sync"}',
        '{"type": "comment.create", "body": 5, "parent": null, "client_id": "x"}',
        '{"type": "comment.create", "body": "hi", "parent": "1", "client_id": "x"}',
        '{"type": "comment.create", "body": "hi", "parent": null, "client_id": ""}',
        '{"type": "comment.create", "body": "hi", "parent": null, "client_id": "' + "x" * 65 + '"}',
        '{"type": "comment.edit", "id": true, "body": "hi"}',
        '{"type": "reaction.toggle", "id": 1, "reaction": 3}',
    ],
)
async def test_unreadable_or_mistyped_messages_are_invalid_and_keep_the_socket(ws, post, staff, frame):
    sam = await ws(post, staff)

    await sam.communicator.send_to(text_data=frame)
    error = await sam.expect("error")
    await sam.send({"type": "sync", "after": 0})

    assert error["code"] == "invalid"
    assert error["message"]
    assert (await sam.expect("thread.sync"))["type"] == "thread.sync"


async def test_body_limits(ws, post, staff):
    sam = await ws(post, staff)

    await sam.send({"type": "comment.create", "body": "x" * 5001, "parent": None, "client_id": "long"})
    too_long = await sam.expect("error")
    await sam.send({"type": "comment.create", "body": " \n\t", "parent": None, "client_id": "blank"})
    empty = await sam.expect("error")
    await sam.send({"type": "comment.create", "body": "x" * 5000, "parent": None, "client_id": "max"})

    assert (too_long["code"], too_long["client_id"]) == ("too_long", "long")
    assert (empty["code"], empty["client_id"]) == ("empty", "blank")
    assert (await sam.expect("comment.created"))["comment"]["client_id"] == "max"


async def test_frame_over_64_kib_is_refused(ws, post, staff):
    sam = await ws(post, staff)

    await sam.send({"type": "comment.create", "body": "x" * (64 * 1024), "parent": None, "client_id": "big"})
    error = await sam.expect("error")
    closed = await sam.communicator.receive_output(timeout=3)

    assert error["code"] == "too_long"
    assert closed == {"type": "websocket.close", "code": 4009}
    assert await database_sync_to_async(Comment.objects.count)() == 0


async def test_binary_frame_closes_the_socket(ws, post, staff):
    sam = await ws(post, staff)

    await sam.communicator.send_to(bytes_data=b"\x00\x01")
    error = await sam.expect("error")

    assert error["code"] == "invalid"
    assert (await sam.communicator.receive_output(timeout=3))["type"] == "websocket.close"


async def test_rate_limit_answers_with_retry_after(ws, post, staff, settings, rate_clock_held):
    settings.COMMENT_RATE_LIMIT = 2
    sam = await ws(post, staff)

    for n in range(2):
        await sam.send({"type": "comment.create", "body": f"n{n}", "parent": None, "client_id": f"n{n}"})
        await sam.expect("comment.created")
    await sam.send({"type": "comment.create", "body": "n2", "parent": None, "client_id": "n2"})
    error = await sam.expect("error")
    await sam.send({"type": "comment.create", "body": "n0", "parent": None, "client_id": "n0"})
    replay = await sam.expect("comment.created")

    assert error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 60
    assert error["client_id"] == "n2"
    assert replay["comment"]["client_id"] == "n0"  # a retry is never rate limited


async def test_database_failure_is_unavailable_and_the_retry_succeeds(ws, post, staff, monkeypatch):
    sam = await ws(post, staff)
    real = services._lock_thread

    def failing(page):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_lock_thread", failing)
    frame = {"type": "comment.create", "body": "Try me", "parent": None, "client_id": "flaky"}
    await sam.send(frame)
    error = await sam.expect("error")
    monkeypatch.setattr(services, "_lock_thread", real)
    await sam.send(frame)

    assert (error["code"], error["client_id"]) == ("unavailable", "flaky")
    assert (await sam.expect("comment.created"))["comment"]["client_id"] == "flaky"


async def test_anonymous_reader_reads_but_never_posts(ws, post, staff):
    await add_comment(post, staff, "Public")
    reader = await ws(post)

    for frame in (
        {"type": "comment.create", "body": "Hi", "parent": None, "client_id": "anon"},
        {"type": "typing"},
        {"type": "reaction.toggle", "id": reader.snapshot["last_id"], "reaction": "like"},
    ):
        await reader.send(frame)
        assert (await reader.expect("error"))["code"] == "auth_required"
    assert len(reader.snapshot["comments"]) == 1
    assert reader.snapshot["presence"]["count"] == 0


async def test_signing_out_elsewhere_stops_an_open_socket_from_posting(ws, post, staff):
    sam = await ws(post, staff)
    await sam.send({"type": "comment.create", "body": "Before", "parent": None, "client_id": "a"})
    await sam.expect("comment.created")

    await sign_out(sam.session_key)
    await sam.send({"type": "comment.create", "body": "After", "parent": None, "client_id": "b"})
    error = await sam.expect("error")

    assert error["code"] == "auth_required"
    assert error["client_id"] == "b"
    assert await database_sync_to_async(Comment.objects.count)() == 1


# --- notifications -------------------------------------------------------------------------


async def test_mention_reply_and_pair_post_notifications_are_pushed(ws, post, staff, pair, editor):
    amira_feed = await ws("/ws/notifications/", pair.first_member)
    editor_feed = await ws("/ws/notifications/", editor)
    sam = await ws(post, staff)

    await sam.send({"type": "comment.create", "body": "Hi @Editor!", "parent": None, "client_id": "m"})
    mention = await editor_feed.receive()
    pair_comment = await amira_feed.receive()

    assert mention["type"] == "notification"
    assert mention["notification"]["kind"] == "mention"
    assert mention["notification"]["text"] == f"Sam Kowalski mentioned you in “{post.title}”"
    assert mention["notification"]["url"].startswith(post.url + "#comment-")
    assert mention["unread"] == 1
    assert pair_comment["notification"]["kind"] == "pair_post_comment"


async def test_visiting_the_notification_list_updates_the_badge_on_open_pages(ws, post, staff, pair):
    await add_comment(post, staff, "Hi @amira", client_id="a")
    await add_comment(post, staff, "And @amira again", client_id="b")
    feed = await ws("/ws/notifications/", pair.first_member)
    browser = Client()
    browser.cookies["sessionid"] = feed.session_key

    await database_sync_to_async(browser.get)("/me/notifications/")

    assert await feed.receive() == {"type": "notifications.read", "unread": 0}


async def test_signed_out_sockets_stop_receiving_what_only_their_person_may_see(
    ws, post, staff, pair, editor
):
    comment = await add_comment(post, pair.first_member, "Off topic")
    moderator = await ws(post, editor)
    moderator_feed = await ws("/ws/notifications/", session_key=moderator.session_key)
    other_editor_session = await ws(post, editor)

    await sign_out(moderator.session_key)
    await other_editor_session.send({"type": "comment.hide", "id": comment.pk, "hidden": True})
    seen = (await moderator.expect("comment.updated"))["comment"]
    await add_comment(post, pair.second_member, "Hi @editor")

    assert seen["hidden"] is True and seen["body_html"] == ""  # the public copy now
    assert (await moderator_feed.receive())["code"] == "auth_required"
    closed = await moderator_feed.communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4403}


async def test_notification_socket_needs_a_signed_in_person(ws):
    await ws("/ws/notifications/", None, expect_accept=False)


async def test_ten_clients_posting_at_once_all_end_with_the_same_list(ws, post, settings):
    """The channel layer may drop pushes under load; confirmations and sync may not."""
    settings.COMMENT_RATE_LIMIT = 1000
    people = await database_sync_to_async(lambda: [UserFactory() for _ in range(10)])()
    clients = [await ws(post, person) for person in people]

    async def post_twenty(index, client):
        confirmed, live = [], []
        for n in range(20):
            await client.send(
                {
                    "type": "comment.create",
                    "body": f"{index}/{n}",
                    "parent": None,
                    "client_id": f"{index}-{n}",
                }
            )
        while len(confirmed) < 20:
            frame = await client.receive(timeout=30)
            if frame["type"] == "comment.created":
                comment = frame["comment"]
                (confirmed if comment["client_id"] else live).append(comment["id"])
        return confirmed, live

    results = await asyncio.gather(*(post_twenty(i, c) for i, c in enumerate(clients)))

    stored = await database_sync_to_async(
        lambda: list(Comment.objects.filter(page=post).order_by("id").values_list("id", "client_id"))
    )()
    ids = [pk for pk, _ in stored]
    assert len(stored) == 200 and len({c for _, c in stored}) == 200
    for client, (confirmed, live) in zip(clients, results, strict=True):
        assert confirmed == sorted(confirmed)  # one client's comments, in the order it sent them
        assert not set(confirmed) & set(live)  # its own comments arrive once, not twice
        await client.send({"type": "sync", "after": 0})
        synced = await client.receive(timeout=10)
        while synced["type"] != "thread.sync":  # live pushes still in flight
            synced = await client.receive(timeout=10)
        assert [c["id"] for c in synced["comments"]] == ids


def test_the_session_cookie_is_read_from_the_handshake_headers_however_they_come():
    name = settings.SESSION_COOKIE_NAME

    def key(*headers: tuple[bytes, bytes]) -> str | None:
        return access.scope_session_key({"headers": list(headers)})

    assert key((b"cookie", f"theme=dark; {name}=abc123".encode())) == "abc123"
    assert key((b"Cookie", b"theme=dark"), (b"cookie", f"{name}=two".encode())) == "two"  # split headers
    assert key((b"origin", b"http://127.0.0.1"), (b"cookie", b"theme=dark")) is None
    assert key((b"cookie", b"\xff\xfe;;==; ")) is None  # not a cookie a browser sends: no session, no error
    assert key() is None
