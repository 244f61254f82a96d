"""Services: what is written, who is told, and that nothing is told before commit."""

import asyncio
import json
import threading

from django.db import connection, transaction

from wagtail.models import Page

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from blog.factories import UserFactory
from blog.threads import frames, services
from blog.threads.errors import ThreadError
from blog.threads.frames import thread_group
from blog.threads.models import Comment, Notification, Reaction, Thread
from blog.threads.selectors import ANONYMOUS, NO_REACTIONS, Viewer, thread_after


def create(page, author, body="Hello", client_id=None, parent=None):
    client_id = client_id or f"c-{Comment.objects.count()}"
    return services.comment_create(page=page, user=author, body=body, client_id=client_id, parent_id=parent)


@pytest.mark.django_db
def test_comment_is_stored_rendered_and_counted(post, staff):
    result = create(post, staff, "Hello **there**")

    comment = result.comment
    assert result.created
    assert comment.body == "Hello **there**"
    assert comment.body_html == "<p>Hello <strong>there</strong></p>"
    assert Thread.objects.get(page=post).comment_count == 1


@pytest.mark.django_db
def test_same_client_id_returns_the_same_comment(post, staff):
    first = create(post, staff, "Once", client_id="abc")
    second = create(post, staff, "Once again", client_id="abc")

    assert (second.created, second.comment.pk) == (False, first.comment.pk)
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_the_same_client_id_from_someone_else_is_a_new_comment(post, staff, pair):
    create(post, staff, client_id="abc")
    assert create(post, pair.first_member, client_id="abc").created


@pytest.mark.django_db
def test_replies_hang_under_their_root(post, staff, pair):
    root = create(post, pair.first_member).comment
    reply = create(post, staff, parent=root.pk).comment
    deeper = create(post, pair.second_member, parent=reply.pk).comment

    assert (reply.root_id, deeper.root_id, deeper.parent_id) == (root.pk, root.pk, reply.pk)


@pytest.mark.django_db
def test_reply_to_a_comment_of_another_thread_is_not_found(post, make_post, staff):
    elsewhere = create(make_post(), staff).comment

    with pytest.raises(ThreadError) as error:
        create(post, staff, parent=elsewhere.pk)
    assert error.value.code == "not_found"


@pytest.mark.django_db
def test_who_is_notified_and_why(post, staff, pair, editor):
    amira, ben = pair.first_member, pair.second_member
    root = create(post, ben, "Question for @sam").comment
    create(post, staff, "Answer, cc @EDITOR and @amira and @nobody", parent=root.pk)

    kinds = {(n.recipient.username, n.kind) for n in Notification.objects.select_related("recipient")}
    assert kinds == {
        ("amira", "pair_post_comment"),  # ben's comment on their own post tells amira, not ben
        ("sam", "mention"),
        ("ben", "reply"),
        ("editor", "mention"),
        ("amira", "mention"),  # a mention beats "your pair's post"
    }
    assert Notification.objects.filter(recipient=amira).count() == 2


@pytest.mark.django_db
def test_edit_delete_and_hide_permissions(post, staff, pair, editor):
    comment = create(post, pair.first_member, "Mine").comment

    with pytest.raises(ThreadError, match="own comments"):
        services.comment_edit(page=post, user=staff, comment_id=comment.pk, body="Not yours")
    with pytest.raises(ThreadError) as hide_error:
        services.comment_hide(page=post, user=pair.first_member, comment_id=comment.pk, hidden=True)
    services.comment_edit(page=post, user=editor, comment_id=comment.pk, body="Tidied")
    services.comment_hide(page=post, user=editor, comment_id=comment.pk, hidden=True)
    services.comment_delete(page=post, user=pair.first_member, comment_id=comment.pk)

    comment.refresh_from_db()
    assert hide_error.value.code == "forbidden"
    assert (comment.body_html, comment.hidden, comment.deleted) == ("<p>Tidied</p>", True, True)
    assert comment.edited is not None


@pytest.mark.django_db
def test_reaction_toggle_is_one_per_person_and_kind(post, staff, pair):
    comment = create(post, pair.first_member).comment

    services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="like")
    counts = services.reaction_toggle(page=post, user=pair.second_member, comment_id=comment.pk, kind="like")
    services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="question")
    after = services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="like")

    assert counts["like"] == 2
    assert after == {"like": 1, "learned": 0, "insightful": 0, "question": 1}
    assert Reaction.objects.count() == 2


@pytest.mark.django_db
def test_mark_read(post, staff, pair):
    create(post, staff)
    assert services.notifications_mark_read(user=pair.first_member) == 1
    assert list(
        Notification.objects.filter(read__isnull=True).values_list("recipient__username", flat=True)
    ) == ["ben"]


@pytest.mark.django_db
def test_selectors_use_a_fixed_number_of_queries(post, staff, pair, settings, django_assert_max_num_queries):
    settings.COMMENT_RATE_LIMIT = 1000
    root = create(post, staff).comment
    for n in range(15):
        reply = create(post, pair.first_member if n % 2 else staff, parent=root.pk, client_id=f"r{n}").comment
        Reaction.objects.create(comment=reply, user=staff, kind="like")

    with django_assert_max_num_queries(2):
        batch = thread_after(page_id=post.pk, after=0, viewer=ANONYMOUS)
    assert len(batch.comments) == 16


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_broadcast_only_after_commit(post, staff):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(thread_group(post.pk), channel)

    @database_sync_to_async
    def create_then_roll_back():
        with transaction.atomic():
            create(post, staff, "Never happened", client_id="gone")
            raise RuntimeError("roll back")

    # One receive, kept waiting throughout: cancelling a receive makes the
    # pub/sub layer drop the channel, as it does when a consumer leaves.
    received = asyncio.create_task(layer.receive(channel))
    with pytest.raises(RuntimeError):
        await create_then_roll_back()
    await asyncio.sleep(0.5)
    assert not received.done()
    assert await database_sync_to_async(Comment.objects.count)() == 0

    comment = (await database_sync_to_async(create)(post, staff, "Kept", "kept")).comment
    event = await asyncio.wait_for(received, timeout=3)
    assert (event["type"], event["id"], event["frame"]) == ("thread.comment", comment.pk, "comment.created")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_let_a_sync_skip_a_comment(requires_postgres, post, settings):
    """10 writers, 20 comments each, at once; a reader syncing "after the last id" sees every one.

    If a comment with a lower id could commit after one with a higher id, the
    reader, having moved past the higher id, would never see it.
    """
    settings.COMMENT_RATE_LIMIT = 10_000
    writers = [UserFactory() for _ in range(10)]
    start = threading.Barrier(len(writers) + 1)
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def write(author):
        try:
            start.wait()
            for n in range(20):
                create(post, author, f"{author.username} {n}", client_id=f"{author.pk}-{n}")
                # Back to the pool, as at the end of a request: eleven threads
                # share a pool of DATABASE_POOL_SIZE (8) connections.
                connection.close()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def read():
        try:
            start.wait()
            last = 0
            while True:
                finished = done.is_set()
                batch = thread_after(page_id=post.pk, after=last, viewer=ANONYMOUS)
                seen.extend(c["id"] for c in batch.comments)
                last = batch.last_id or last
                connection.close()
                if finished and not batch.comments:
                    break
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    reader = threading.Thread(target=read)
    for thread in [*threads, reader]:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()

    assert not errors
    stored = list(Comment.objects.filter(page=post).order_by("id").values_list("id", flat=True))
    assert len(stored) == 200
    assert seen == stored  # every comment, once, in increasing order


@pytest.mark.django_db
def test_a_comment_is_written_in_a_fixed_number_of_queries(
    post, staff, pair, editor, settings, django_assert_max_num_queries
):
    """Every comment pays for these, on the one thread that runs a process's database work.

    Replay lookup, lock, replay lookup again, parent, insert, thread counter,
    the pair's ids, mentioned people, notifications and their unread counts:
    ten, however many are notified, plus the savepoint pair of the test's own
    transaction. Who may be told is decided from the site's restrictions,
    read once per privacy epoch (here by the first comment).
    """
    settings.COMMENT_RATE_LIMIT = 1000
    root = create(post, pair.first_member, "Question", client_id="root").comment
    page = Page.objects.get(pk=post.pk)  # as the consumer and the API hold it

    with django_assert_max_num_queries(12):
        result = services.comment_create(
            page=page, user=staff, body=f"@{editor.username} see this", client_id="q", parent_id=root.pk
        )

    assert result.created
    recipients = set(Notification.objects.filter(comment=result.comment).values_list("recipient", flat=True))
    assert recipients == {pair.first_member.pk, pair.second_member.pk, editor.pk}
    with django_assert_max_num_queries(0):  # what the consumer then sends the author costs no query
        text = frames.comment_text(
            result.comment,
            frame_type="comment.created",
            viewer=Viewer(user_id=staff.pk),
            reactions=NO_REACTIONS,
        )
    assert json.loads(text)["comment"]["client_id"] == "q"


@pytest.mark.django_db
def test_a_hidden_comment_takes_no_replies_nor_reactions_but_from_editors(post, staff, pair, editor):
    hidden = create(post, pair.first_member, "Off topic").comment
    services.comment_hide(page=post, user=editor, comment_id=hidden.pk, hidden=True)

    with pytest.raises(ThreadError) as reply:
        create(post, staff, "Replying anyway", parent=hidden.pk)
    with pytest.raises(ThreadError) as reaction:
        services.reaction_toggle(page=post, user=staff, comment_id=hidden.pk, kind="like")
    answer = create(post, editor, "Moved to the right thread", parent=hidden.pk).comment
    services.reaction_toggle(page=post, user=editor, comment_id=hidden.pk, kind="like")

    assert reply.value.code == reaction.value.code == "not_found"
    assert answer.parent_id == hidden.pk
    assert list(Reaction.objects.values_list("user__username", flat=True)) == ["editor"]
