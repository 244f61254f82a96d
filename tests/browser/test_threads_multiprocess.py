"""Two real daphne processes sharing PostgreSQL/SQLite and Redis: threads span both."""

import json

import pytest
from websockets.sync.client import connect

from tests.live_server import first_post, signed_in_cookie

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
