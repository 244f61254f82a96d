"""Twenty people post 25 comments each at the same moment, on PostgreSQL, through two daphnes.

The clients are spread over two server processes sharing the database and
the channel layer (Redis), so the comments really are written concurrently:
one process alone runs every consumer's database work on one thread. What
must hold (``docs/threads-protocol.md``): each comment stored once and
acknowledged to its sender, ids that increase in commit order (a reader who
keeps asking for "everything after the last id I saw" misses nothing), and
every client ending with the same ordered thread.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import ClientConnection

from home.demo import DEMO_USERS
from tests.faults.test_abuse import frame_of_type
from tests.faults.thread_clients import comment_create, open_thread, sync_after
from tests.live_server import DaphneProcess, postgres_rows, signed_in_cookie, thread_posts

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

CLIENTS = 20
COMMENTS_EACH = 25
TOTAL = CLIENTS * COMMENTS_EACH


@pytest.fixture(scope="module")
def servers(postgres_demo_database_url: str, redis_url: str) -> Iterator[list[DaphneProcess]]:
    # Everyone here posts far beyond the per-person rate limit on purpose.
    env = {"REDIS_URL": redis_url, "COMMENT_RATE_LIMIT": "100000"}
    started = []
    try:
        for _ in range(2):
            started.append(DaphneProcess(postgres_demo_database_url, env=env).start())
        yield started
    finally:
        for server in started:
            server.stop(graceful=False)


@dataclass
class Poster:
    """One socket of one person, and everything it heard."""

    number: int
    socket: ClientConnection
    client_ids: list[str]
    acks: dict[str, int] = field(default_factory=dict)  # client_id -> comment id, as acknowledged
    created_ids: list[int] = field(default_factory=list)  # every comment.created, in arrival order
    errors: list[dict] = field(default_factory=list)

    async def read_until_complete(self) -> None:
        """Read until this socket has its own acknowledgements and every comment of the run."""
        while len(self.acks) < len(self.client_ids) or len(set(self.created_ids)) < TOTAL:
            frame = json.loads(await self.socket.recv())
            if frame["type"] == "comment.created":
                comment = frame["comment"]
                self.created_ids.append(comment["id"])
                if comment["client_id"] in self.client_ids:
                    assert comment["client_id"] not in self.acks, f"two acks for {comment['client_id']}"
                    self.acks[comment["client_id"]] = comment["id"]
            elif frame["type"] == "error":
                self.errors.append(frame)
                raise AssertionError(f"client {self.number} got an error: {frame}")


async def poll_after(socket: ClientConnection, start: int, stop: asyncio.Event) -> list[int]:
    """Ask "everything after the last id seen" again and again, as a reconnecting client does.

    If a comment could commit after one with a higher id, some poll would
    have moved past it before it became visible, and it would be missing.
    """
    seen: list[int] = []
    cursor = start
    while True:
        finished = stop.is_set()
        await socket.send(json.dumps({"type": "sync", "after": cursor}))
        batch = await frame_of_type(socket, "thread.sync")
        seen.extend(comment["id"] for comment in batch["comments"])
        if batch["last_id"] is not None:
            cursor = batch["last_id"]
        if finished and not batch["has_more"]:
            return seen


async def test_twenty_clients_posting_at_once_each_comment_stored_once_and_everyone_converges(
    servers: list[DaphneProcess], postgres_demo_database_url: str
):
    _, page_id = thread_posts(servers[0].url)[1]
    people = [user.username for user in DEMO_USERS]
    # Sessions live in the shared database: a cookie from one process works on both.
    cookies = {name: signed_in_cookie(servers[0].url, name) for name in people}
    run = uuid.uuid4().hex[:8]
    existing = postgres_rows(
        postgres_demo_database_url, "SELECT count(*) FROM blog_comment WHERE page_id = %s", [page_id]
    )[0][0]

    posters: list[Poster] = []
    try:
        async with asyncio.timeout(240):
            for number in range(CLIENTS):
                server = servers[number % 2]
                socket = await open_thread(server.url, page_id, cookies[people[number % len(people)]])
                client_ids = [f"{run}-{number}-{n}" for n in range(COMMENTS_EACH)]
                posters.append(Poster(number, socket, client_ids))
                await frame_of_type(socket, "thread.snapshot")
            async with open_thread(servers[1].url, page_id) as reader:
                snapshot = await frame_of_type(reader, "thread.snapshot")
                start = snapshot["last_id"] or 0
                stop_polling = asyncio.Event()
                polling = asyncio.create_task(poll_after(reader, start, stop_polling))
                reading = [asyncio.create_task(poster.read_until_complete()) for poster in posters]

                async def send_all(poster: Poster) -> None:
                    for client_id in poster.client_ids:
                        await poster.socket.send(comment_create(client_id))

                await asyncio.gather(*(send_all(poster) for poster in posters))
                await asyncio.gather(*reading)
                stop_polling.set()
                polled = await polling

            synced = [await sync_after(poster.socket, start) for poster in posters]
            after_last = [await sync_after(poster.socket, max(poster.created_ids)) for poster in posters]
    finally:
        await asyncio.gather(*(poster.socket.close() for poster in posters))

    rows = postgres_rows(
        postgres_demo_database_url,
        """SELECT comment.id, comment.client_id, author.username, comment.created
             FROM blog_comment comment JOIN auth_user author ON author.id = comment.author_id
            WHERE comment.page_id = %s AND comment.client_id LIKE %s ORDER BY comment.id""",
        [page_id, f"{run}-%"],
    )
    stored_ids = [row[0] for row in rows]
    # Stored exactly once, by the person who sent it.
    assert len(rows) == TOTAL
    assert sorted(row[1] for row in rows) == sorted(cid for poster in posters for cid in poster.client_ids)
    for _, client_id, author, _ in rows:
        number = int(client_id.split("-")[1])
        assert author == people[number % len(people)], client_id
    # Ids follow commit order: ``created`` is stamped under the thread's lock.
    created = [row[3] for row in rows]
    assert created == sorted(created)
    # The thread's counter moved once per comment: nothing half-written.
    total, counted = postgres_rows(
        postgres_demo_database_url,
        """SELECT (SELECT count(*) FROM blog_comment WHERE page_id = %s),
                  (SELECT comment_count FROM blog_thread WHERE page_id = %s)""",
        [page_id, page_id],
    )[0]
    assert total == counted == existing + TOTAL

    for poster in posters:
        # Every sender heard back about each of its comments.
        assert set(poster.acks) == set(poster.client_ids), poster.number
        # It received every comment of the run live, each once.
        assert len(poster.created_ids) == len(set(poster.created_ids)) == TOTAL, poster.number
        assert set(poster.created_ids) == set(stored_ids), poster.number
    # A reader that only ever asked for what came after the last id it saw missed nothing.
    assert polled == stored_ids
    # Everyone converges on the same ordered thread, with nothing after the last id.
    for poster, comments, rest in zip(posters, synced, after_last, strict=True):
        assert [comment["id"] for comment in comments] == stored_ids, poster.number
        assert rest == [], poster.number
