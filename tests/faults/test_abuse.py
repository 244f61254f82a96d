"""Abuse through a real daphne: oversized and malformed frames, typing floods.

Each is answered as ``docs/threads-protocol.md`` says, and the socket (or,
after a refused frame, the server) keeps serving.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.live_server import first_post, signed_in_cookie

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


def thread_socket(base_url: str, page_id: int, cookie: str | None = None):
    headers = {"Cookie": cookie} if cookie else {}
    return connect(
        base_url.replace("http://", "ws://") + f"/ws/threads/{page_id}/",
        origin=base_url,
        additional_headers=headers,
        max_size=None,
        open_timeout=20,
    )


async def frame_of_type(socket, frame_type: str, timeout: float = 20) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == frame_type:
                return frame


async def test_a_frame_over_64_kib_is_refused_and_the_server_keeps_serving(fault_server):
    _, page_id = first_post(fault_server.url)
    async with thread_socket(fault_server.url, page_id) as socket:
        await frame_of_type(socket, "thread.snapshot")
        await socket.send(json.dumps({"type": "sync", "after": 0, "padding": "x" * 70_000}))
        error = await frame_of_type(socket, "error")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 20)
    assert error["code"] == "too_long"
    assert closed.value.rcvd.code == 4009

    async with thread_socket(fault_server.url, page_id) as socket:
        assert (await frame_of_type(socket, "thread.snapshot"))["thread"] == page_id


async def test_a_thousand_malformed_frames_then_a_valid_one_is_still_answered(fault_server):
    _, page_id = first_post(fault_server.url)
    garbage = ["{not json", "[]", '{"type": 5}', '{"type": "nope"}', '{"type": "sync", "after": "x"}']
    async with thread_socket(fault_server.url, page_id) as socket:
        await frame_of_type(socket, "thread.snapshot")
        for n in range(1000):
            await socket.send(garbage[n % len(garbage)])
        await socket.send(json.dumps({"type": "sync", "after": 0}))
        codes = []
        async with asyncio.timeout(60):
            while (frame := json.loads(await socket.recv()))["type"] != "thread.sync":
                if frame["type"] == "error":
                    codes.append(frame["code"])
    assert codes == ["invalid"] * 1000
    assert frame["has_more"] is False  # the valid sync after the garbage was answered


async def test_a_typing_flood_reaches_others_once(fault_server):
    _, page_id = first_post(fault_server.url)
    sam, amira = signed_in_cookie(fault_server.url, "sam"), signed_in_cookie(fault_server.url, "amira")
    async with (
        thread_socket(fault_server.url, page_id, sam) as typist,
        thread_socket(fault_server.url, page_id, amira) as reader,
    ):
        await frame_of_type(typist, "thread.snapshot")
        await frame_of_type(reader, "thread.snapshot")
        started = time.monotonic()
        for _ in range(200):
            await typist.send(json.dumps({"type": "typing"}))
        # A comment from the same socket is broadcast after every typing notice it follows.
        await typist.send(
            json.dumps(
                {"type": "comment.create", "body": "after the flood", "parent": None, "client_id": "flood-1"}
            )
        )
        typing = []
        async with asyncio.timeout(30):
            while (frame := json.loads(await reader.recv()))["type"] != "comment.created":
                if frame["type"] == "typing":
                    typing.append(frame)
        await frame_of_type(typist, "comment.created")
        elapsed = time.monotonic() - started
    # One notice per 3 s window the flood spanned (one, unless the machine is slow).
    assert 1 <= len(typing) <= 1 + int(elapsed // 3)
    assert all(frame == {"type": "typing", "user": "Sam Kowalski"} for frame in typing)


async def test_many_sockets_from_one_person_count_once_and_others_are_still_served(fault_server):
    _, page_id = first_post(fault_server.url)
    sam, amira = signed_in_cookie(fault_server.url, "sam"), signed_in_cookie(fault_server.url, "amira")
    tabs = []
    try:
        for _ in range(50):
            tab = await thread_socket(fault_server.url, page_id, sam)
            tabs.append(tab)
            await frame_of_type(tab, "thread.snapshot")
        async with thread_socket(fault_server.url, page_id, amira) as other:
            snapshot = await frame_of_type(other, "thread.snapshot")
            await other.send(json.dumps({"type": "sync", "after": 0}))
            synced = await frame_of_type(other, "thread.sync")
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))
    assert snapshot["presence"] == {
        "count": 2,
        "users": ["Amira Haddad", "Sam Kowalski"],
        "people": [
            {"username": "amira", "name": "Amira Haddad", "url": "/people/amira/"},
            {"username": "sam", "name": "Sam Kowalski", "url": "/people/sam/"},
        ],
        "hosts_here": False,
    }
    assert synced["has_more"] is False


async def test_sockets_that_close_while_broadcasts_flow_leave_no_traceback(fault_server):
    """A broadcast (or an error frame) meant for a socket that is closing is dropped quietly."""
    _, page_id = first_post(fault_server.url)
    cookie = signed_in_cookie(fault_server.url, "priya")
    publisher_cookie = signed_in_cookie(fault_server.url, "sam")
    log_before = fault_server.log_tail(100_000)

    async def leave_at_once(number: int) -> None:
        # Signed in, so each arrival and departure also broadcasts presence to the rest.
        async with thread_socket(fault_server.url, page_id, cookie) as socket:
            await frame_of_type(socket, "thread.snapshot")
            if number % 2:  # refused and closed by the server, while this client keeps sending
                await socket.send("x" * 70_000)
                for _ in range(5):
                    await socket.send('{"type": "sync", "after": 0}')

    async with thread_socket(fault_server.url, page_id, publisher_cookie) as publisher:
        await frame_of_type(publisher, "thread.snapshot")
        for round_number in range(4):
            leaving = [asyncio.create_task(leave_at_once(n)) for n in range(20)]
            if round_number == 0:  # the rate limit allows five comments in its window
                for n in range(5):
                    body = f"Churn {n}"
                    message = {"type": "comment.create", "body": body, "client_id": body}
                    await publisher.send(json.dumps(message))
                    await asyncio.sleep(0.05)
            await asyncio.gather(*leaving, return_exceptions=True)
        await publisher.send(json.dumps({"type": "sync", "after": 0}))
        assert (await frame_of_type(publisher, "thread.sync"))["comments"]

    new_log = fault_server.log_tail(100_000)[len(log_before) :]
    assert "Traceback" not in new_log and "Disconnected" not in new_log, new_log[-3000:]
