"""A thousand sockets come and go: the server's PostgreSQL connections stay few.

Every handshake reads the session, the page and the snapshot, and a signed-in
one writes a presence row and deletes it again on the way out. Connections
must come from the server's bounded pool (``DATABASE_POOL_SIZE``) and go back
to it; one left behind per socket would exhaust PostgreSQL within minutes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from tests.faults.test_abuse import frame_of_type
from tests.faults.thread_clients import open_thread
from tests.live_server import DaphneProcess, postgres_sessions, signed_in_cookie, thread_posts

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.postgres]

CYCLES = 1000
# Handshakes in flight at once: daphne drops a handshake its application has
# not accepted within 5 s, and every one waits for the one database thread.
AT_ONCE = 8
POOL_SIZE = 4


@pytest.fixture(scope="module")
def server(postgres_demo_database_url: str) -> Iterator[DaphneProcess]:
    server = DaphneProcess(
        postgres_demo_database_url, env={"REDIS_URL": None, "DATABASE_POOL_SIZE": str(POOL_SIZE)}
    )
    try:
        yield server.start()
    finally:
        server.stop(graceful=False)


class SessionSampler:
    """Counts the database's sessions every few tenths of a second, in a thread; keeps the highest."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.highest = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.highest = max(self.highest, postgres_sessions(self.database_url))
            self.samples += 1

    def __enter__(self) -> SessionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


async def test_a_thousand_connect_disconnect_cycles_keep_database_connections_bounded(
    server: DaphneProcess, postgres_demo_database_url: str
):
    _, page_id = thread_posts(server.url)[0]
    cookies = [signed_in_cookie(server.url, name) for name in ("sam", "priya", "amira")]
    async with open_thread(server.url, page_id, cookies[0]) as socket:
        await frame_of_type(socket, "thread.snapshot")
    before = postgres_sessions(postgres_demo_database_url)

    gate = asyncio.Semaphore(AT_ONCE)
    snapshots = 0

    async def cycle(number: int) -> None:
        nonlocal snapshots
        # Every other socket anonymous, the rest signed in as one of three people.
        cookie = None if number % 2 else cookies[number // 2 % len(cookies)]
        async with gate, open_thread(server.url, page_id, cookie) as socket:
            await frame_of_type(socket, "thread.snapshot")
            snapshots += 1

    with SessionSampler(postgres_demo_database_url) as sampler:
        async with asyncio.timeout(300):
            await asyncio.gather(*(cycle(number) for number in range(CYCLES)))
        # Disconnects (presence rows to delete) finish after the client has gone.
        await asyncio.sleep(2)
    after = postgres_sessions(postgres_demo_database_url)

    assert snapshots == CYCLES
    assert sampler.samples > 0
    assert before <= POOL_SIZE
    assert sampler.highest <= POOL_SIZE, f"{sampler.highest} sessions at once (pool of {POOL_SIZE})"
    assert after <= POOL_SIZE, f"{after} sessions left after {CYCLES} sockets (pool of {POOL_SIZE})"
    # And the server still answers.
    async with open_thread(server.url, page_id, cookies[1]) as socket:
        assert (await frame_of_type(socket, "thread.snapshot"))["thread"] == page_id
