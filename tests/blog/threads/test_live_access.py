"""Open sockets stop hearing a thread the moment their person may no longer see its page.

docs/threads-protocol.md, "When access ends": an ``error`` frame
(``forbidden``, ``auth_required`` or ``not_found``), then close code 4403.
"""

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest
from channels.db import database_sync_to_async

from blog.factories import UserFactory
from blog.threads import services
from blog.threads.models import Comment, Notification

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ACCESS_ENDED = 4403


@database_sync_to_async
def add_comment(page, author, body="Hello"):
    client_id = f"seed-{Comment.objects.count()}"
    return services.comment_create(page=page, user=author, body=body, client_id=client_id).comment


@database_sync_to_async
def restrict(page, kind, groups=()):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=kind)
    restriction.groups.set(groups)
    return restriction


async def ended(client) -> str:
    """The error code a socket was told, once it has been closed with 4403."""
    frame = await client.expect("error")
    closed = await client.communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": ACCESS_ENDED}
    return frame["code"]


@pytest.fixture
def committee(db):
    return Group.objects.create(name="Committee")


async def test_a_page_restricted_while_people_read_it_stops_reaching_them(ws, post, staff, pair):
    anonymous, signed_in = await ws(post), await ws(post, staff)

    await restrict(post, "groups")
    await add_comment(post, pair.first_member, "Said after the restriction")

    assert await ended(anonymous) == "auth_required"
    assert await ended(signed_in) == "forbidden"


async def test_readers_the_restriction_lets_through_keep_reading(ws, post, staff, pair):
    reader = await ws(post, staff)

    await restrict(post, "login")
    await add_comment(post, pair.first_member, "Still for signed-in readers")

    assert (await reader.expect("comment.created"))["comment"][
        "body_html"
    ] == "<p>Still for signed-in readers</p>"


async def test_a_restriction_on_an_ancestor_ends_access_below_it(ws, post, blog_index, pair):
    reader = await ws(post)

    await restrict(blog_index, "login")
    await add_comment(post, pair.first_member, "Under a private blog now")

    assert await ended(reader) == "auth_required"


async def test_an_unpublished_page_sends_nothing_more(ws, post, pair):
    reader = await ws(post)

    await database_sync_to_async(post.unpublish)()
    # A write whose access check passed just before the page went (the service does not ask again).
    await add_comment(post, pair.first_member, "Raced the unpublish")

    assert await ended(reader) == "not_found"


async def test_signing_out_ends_a_socket_of_a_sign_in_only_page_at_once(ws, post, staff):
    await restrict(post, "login")
    reader = await ws(post, staff)
    browser = Client()
    browser.cookies["sessionid"] = reader.session_key

    await database_sync_to_async(browser.post)("/accounts/logout/")

    assert await ended(reader) == "auth_required"


async def test_signing_out_one_browser_leaves_the_other_session_reading(ws, post, staff, pair):
    await restrict(post, "login")
    leaving, staying = await ws(post, staff), await ws(post, staff)
    browser = Client()
    browser.cookies["sessionid"] = leaving.session_key

    await database_sync_to_async(browser.post)("/accounts/logout/")
    assert await ended(leaving) == "auth_required"
    await add_comment(post, pair.first_member, "Only one of them left")

    assert (await staying.expect("comment.created"))["comment"]["body_html"] == "<p>Only one of them left</p>"


async def test_leaving_the_group_ends_access_at_once(ws, post, committee):
    member = await database_sync_to_async(UserFactory)(username="cara")
    await database_sync_to_async(member.groups.add)(committee)
    await restrict(post, "groups", [committee])
    reader = await ws(post, member)

    await database_sync_to_async(committee.user_set.remove)(member)

    assert await ended(reader) == "forbidden"


async def test_notification_sockets_close_when_their_session_signs_out(ws, staff):
    notifications = await ws("/ws/notifications/", staff)
    browser = Client()
    browser.cookies["sessionid"] = notifications.session_key

    await database_sync_to_async(browser.post)("/accounts/logout/")

    assert await ended(notifications) == "auth_required"


async def test_no_notification_is_made_or_pushed_for_a_page_the_recipient_may_not_see(
    ws, post, staff, pair, editor, committee
):
    """An editor's @mention on an Editors-only page reaches editors only; a pair outside it hears nothing."""
    editors = await database_sync_to_async(Group.objects.get)(name="Editors")
    await restrict(post, "groups", [editors])
    other_editor = await database_sync_to_async(UserFactory)(username="elena")
    await database_sync_to_async(other_editor.groups.add)(editors)
    feed = await ws("/ws/notifications/", staff)

    await add_comment(post, editor, "@sam @elena the committee notes are up")

    recipients = await database_sync_to_async(
        lambda: set(Notification.objects.values_list("recipient__username", flat=True))
    )()
    assert recipients == {"elena"}  # not sam, not the pair that wrote the post
    assert await feed.nothing(timeout=0.5)
