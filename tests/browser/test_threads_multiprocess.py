"""Two real daphne processes sharing PostgreSQL/SQLite and Redis: threads span both."""

import json
import urllib.parse
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.live_server import cookie_value, first_post, signed_in_cookie, thread_posts

pytestmark = pytest.mark.e2e


def thread_socket(base_url: str, page_id: int, cookie: str | None = None):
    ws_url = base_url.replace("http://", "ws://") + f"/ws/threads/{page_id}/"
    headers = {"Cookie": cookie} if cookie else {}
    return connect(ws_url, origin=base_url, additional_headers=headers, open_timeout=10)


def frame_of_type(socket, frame_type: str, timeout: float = 10) -> dict:
    while True:
        frame = json.loads(socket.recv(timeout=timeout))
        if frame["type"] == frame_type:
            return frame


def test_a_comment_through_one_process_reaches_clients_of_the_other(requires_redis, daphne_factory, settings):
    env = {"REDIS_URL": settings.REDIS_URL}
    first, second = daphne_factory(env=env), daphne_factory(env=env)
    page_id = first_post(first.url)[1]
    sam_cookie = signed_in_cookie(first.url, "sam")
    amira_cookie = signed_in_cookie(second.url, "amira")

    with (
        thread_socket(first.url, page_id, sam_cookie) as sam,
        thread_socket(second.url, page_id, amira_cookie) as amira,
        thread_socket(second.url, page_id) as reader,
    ):
        for socket in (sam, amira, reader):
            frame_of_type(socket, "thread.snapshot")
        presence = frame_of_type(sam, "presence")
        if presence["count"] == 1:  # sam's own join first; then amira's, from the other process
            presence = frame_of_type(sam, "presence")
        assert presence["users"] == ["Amira Haddad", "Sam Kowalski"]

        sam.send(
            json.dumps(
                {"type": "comment.create", "body": "Across processes", "parent": None, "client_id": "x-1"}
            )
        )
        mine = frame_of_type(sam, "comment.created")["comment"]
        theirs = frame_of_type(amira, "comment.created")["comment"]
        anonymous = frame_of_type(reader, "comment.created")["comment"]

        amira.send(json.dumps({"type": "reaction.toggle", "id": mine["id"], "reaction": "insightful"}))
        reacted = frame_of_type(sam, "comment.reactions")

    assert mine["id"] == theirs["id"] == anonymous["id"]
    assert (mine["client_id"], theirs["client_id"]) == ("x-1", None)
    assert theirs["body_html"] == "<p>Across processes</p>"
    assert reacted["reactions"]["insightful"] == 1


def set_privacy(base_url: str, editor_cookie: str, page_id: int, restriction_type: str) -> None:
    """Change a page's privacy through the admin, as an editor does in the browser."""
    form = urllib.parse.urlencode(
        {
            "restriction_type": restriction_type,
            "password": "",
            "csrfmiddlewaretoken": cookie_value(editor_cookie, "csrftoken"),
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base_url}/admin/pages/{page_id}/privacy/", data=form, headers={"Cookie": editor_cookie}
    )
    assert urllib.request.urlopen(request).status == 200  # noqa: S310


def test_a_page_restricted_through_one_process_ends_access_on_the_other(
    requires_redis, daphne_factory, settings
):
    """The privacy epoch lives in the shared cache: the restriction is made on one
    process, the comment posted through it, and a reader of the other process is let go."""
    env = {"REDIS_URL": settings.REDIS_URL}
    first, second = daphne_factory(env=env), daphne_factory(env=env)
    page_id = thread_posts(first.url)[-1][1]  # a post of its own: other tests read the first
    editor_cookie = signed_in_cookie(second.url, "editor")
    sam_cookie = signed_in_cookie(second.url, "sam")

    try:
        with (
            thread_socket(first.url, page_id) as reader,
            thread_socket(first.url, page_id, sam_cookie) as sam_reading,
            thread_socket(second.url, page_id, sam_cookie) as sam,
        ):
            for socket in (reader, sam_reading, sam):
                frame_of_type(socket, "thread.snapshot")
            set_privacy(second.url, editor_cookie, page_id, "login")
            sam.send(json.dumps({"type": "comment.create", "body": "Members only", "client_id": "mp-1"}))

            told = frame_of_type(reader, "error")
            with pytest.raises(ConnectionClosed) as closed:
                reader.recv(timeout=10)
            kept = frame_of_type(sam_reading, "comment.created")
    finally:
        set_privacy(second.url, editor_cookie, page_id, "none")

    assert told["code"] == "auth_required"
    assert closed.value.rcvd.code == 4403
    assert kept["comment"]["body_html"] == "<p>Members only</p>"


def a_post_by(base_url: str, pair_slug: str) -> tuple[int, list[str]]:
    """The id of a live post of the pair, and its members' usernames, from the read-only API."""
    posts = []
    for offset in (0, 20, 40):  # the API's pages hold 20
        url = f"{base_url}/api/v2/posts/?fields=pair&limit=20&offset={offset}"
        with urllib.request.urlopen(url) as response:  # noqa: S310 - our own server
            posts += json.load(response)["items"]
    post = next(p for p in posts if p["pair"] and p["pair"]["slug"] == pair_slug)
    return post["id"], [member["username"] for member in post["pair"]["members"]]


def presence_until(socket, wanted: bool) -> dict:
    while (presence := frame_of_type(socket, "presence"))["hosts_here"] is not wanted:
        pass
    return presence


def test_both_authors_here_when_they_are_on_different_processes(requires_redis, daphne_factory, settings):
    """The notice's flag follows the pair across processes: on when both are in, off when one leaves."""
    env = {"REDIS_URL": settings.REDIS_URL}
    first, second = daphne_factory(env=env), daphne_factory(env=env)
    page_id, (one, other) = a_post_by(first.url, "amira-and-ben")
    first_cookie = signed_in_cookie(first.url, one)
    other_cookie = signed_in_cookie(second.url, other)

    with thread_socket(first.url, page_id) as reader, thread_socket(first.url, page_id, first_cookie) as host:
        snapshot = frame_of_type(reader, "thread.snapshot")
        assert snapshot["presence"]["hosts_here"] is False
        frame_of_type(host, "thread.snapshot")
        with thread_socket(second.url, page_id, other_cookie) as second_host:
            frame_of_type(second_host, "thread.snapshot")
            assert presence_until(reader, True)["count"] == 2  # people signed in: the two hosts
        # The member on the other process left: the reader here hears it.
        assert presence_until(reader, False)["hosts_here"] is False
