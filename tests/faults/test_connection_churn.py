"""A thousand sockets come and go: the server's PostgreSQL connections stay few.

Every handshake reads the session, the page and the snapshot, and a signed-in
one writes a presence row and deletes it again on the way out. Meanwhile
signed-in page requests arrive three times as many at once as the pool holds:
under ASGI each runs in a thread of its own, so without the bounded pool
(``DATABASE_POOL_SIZE``) each would hold a connection of its own.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

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


class PageLoad:
    """Waves of ``width`` signed-in page requests at once, in threads, until stopped; counts statuses."""

    def __init__(self, url: str, cookie: str, width: int) -> None:
        self.url, self.cookie, self.width = url, cookie, width
        self.statuses: Counter[int] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _get(self, _: int) -> int:
        request = urllib.request.Request(self.url, headers={"Cookie": self.cookie})  # noqa: S310 - ours
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def _run(self) -> None:
        with ThreadPoolExecutor(self.width) as pool:
            while not self._stop.is_set():
                self.statuses.update(pool.map(self._get, range(self.width)))

    def __enter__(self) -> PageLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


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

    pages = PageLoad(f"{server.url}/", cookies[1], width=3 * POOL_SIZE)
    with SessionSampler(postgres_demo_database_url) as sampler, pages:
        async with asyncio.timeout(300):
            await asyncio.gather(*(cycle(number) for number in range(CYCLES)))
        # Disconnects (presence rows to delete) finish after the client has gone.
        await asyncio.sleep(2)
    after = postgres_sessions(postgres_demo_database_url)

    assert snapshots == CYCLES
    assert sampler.samples > 0
    assert pages.statuses[200] >= 3 * POOL_SIZE and set(pages.statuses) == {200}, pages.statuses
    assert before <= POOL_SIZE
    assert sampler.highest <= POOL_SIZE, f"{sampler.highest} sessions at once (pool of {POOL_SIZE})"
    assert after <= POOL_SIZE, f"{after} sessions left after {CYCLES} sockets (pool of {POOL_SIZE})"
    # And the server still answers.
    async with open_thread(server.url, page_id, cookies[1]) as socket:
        assert (await frame_of_type(socket, "thread.snapshot"))["thread"] == page_id
