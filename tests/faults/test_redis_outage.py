"""Redis stops while comments are posted: nothing is lost, nothing half-saved, no 500s.

The test runs its own ``redis-server`` on a free port and stops that one; the
shared Redis of the test run is never touched.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import urllib.request
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import skip_or_fail
from tests.faults.test_abuse import frame_of_type, thread_socket
from tests.faults.thread_clients import answer_to, comment_create
from tests.live_server import DaphneProcess, RedisProcess, first_post, signed_in_cookie

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.redis]


@pytest.fixture
def own_redis(requires_redis) -> Iterator[RedisProcess]:
    if shutil.which("redis-server") is None:
        skip_or_fail("needs redis-server on PATH to stop and start its own Redis")
    server = RedisProcess().start()
    try:
        yield server
    finally:
        server.stop()


async def post(socket, client_id: str) -> dict:
    """Post a comment; the sender's answer (``comment.created`` or ``error``)."""
    await socket.send(comment_create(client_id, f"during {client_id}"))
    return await answer_to(socket, client_id, timeout=30)


async def closing_code(socket) -> int:
    """Read until the server closes the socket; its close code."""
    async with asyncio.timeout(30):
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await socket.recv()
    return closed.value.rcvd.code


async def test_comments_posted_while_redis_is_down_are_saved_or_refused(own_redis, fault_database_url):
    """The open socket keeps answering through the outage; afterwards it is told to reconnect and sync."""
    env = {"REDIS_URL": own_redis.url}
    server = DaphneProcess(fault_database_url, env=env).start()
    try:
        path, page_id = first_post(server.url)
        cookie = signed_in_cookie(server.url, "sam")
        async with (
            thread_socket(server.url, page_id, cookie) as socket,
            thread_socket(server.url, page_id) as reader,  # never posts, so never sees an error itself
        ):
            await frame_of_type(socket, "thread.snapshot")
            await frame_of_type(reader, "thread.snapshot")
            before = await post(socket, "redis-before")
            own_redis.stop()
            answers = [await post(socket, f"redis-down-{n}") for n in range(5)]
            with urllib.request.urlopen(f"{server.url}{path}") as page:  # noqa: S310 - our own server
                assert page.status == 200
            own_redis.start()
            # Redis keeps nothing across a restart, group memberships included:
            # the server asks every client to reconnect (4012) rather than
            # leave it on a socket that no longer hears the thread.
            codes = [await closing_code(s) for s in (socket, reader)]
        async with thread_socket(server.url, page_id, cookie) as socket:
            await frame_of_type(socket, "thread.snapshot")
            await socket.send(json.dumps({"type": "sync", "after": before["comment"]["id"]}))
            synced = await frame_of_type(socket, "thread.sync")
            after_outage = await post(socket, "redis-after")
    finally:
        server.stop(graceful=False)

    assert before["type"] == "comment.created"
    assert codes == [4012, 4012]
    assert all(a["type"] == "comment.created" or a["code"] == "unavailable" for a in answers), answers
    saved = {a["comment"]["client_id"]: a["comment"]["id"] for a in answers if a["type"] == "comment.created"}
    after = {c["client_id"]: c["id"] for c in synced["comments"] if c["client_id"]}
    assert {k: v for k, v in after.items() if k.startswith("redis-down")} == saved
    assert saved, "the database was up: comments should have been saved and acknowledged"
    assert after_outage["type"] == "comment.created"
    log = server.log_tail(400)
    assert "Traceback" not in log, log
    assert "Exception inside application" not in log, log
    assert "channel layer unreachable" in log
    assert "channel layer reachable again" in log
