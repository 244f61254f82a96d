"""The sockets' trips to the database: one connection per burst and thread, and a gate for handshakes."""

import asyncio
import threading
import time

from django.db import connection
from django.db.backends.signals import connection_created

import pytest
from asgiref.sync import SyncToAsync

from blog.threads import trips
from blog.threads.errors import ThreadError
from blog.threads.models import Comment
from blog.threads.trips import ReadThreads, TripGate, database_trip, read_trip


def count_comments() -> int:
    return Comment.objects.count()


def raw_connection():
    return connection.connection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_trips_shares_one_connection_and_a_lone_trip_leaves_none(requires_postgres):
    opened = []

    def record(sender, connection, **kwargs) -> None:
        opened.append(connection.alias)

    async def run() -> None:
        connection_created.connect(record)
        try:
            await asyncio.gather(*(database_trip(count_comments)() for _ in range(20)))
            burst = len(opened)
            await database_trip(count_comments)()
            assert burst <= 2  # the first trip's, and at most one more if the queue ran dry once
            # The same thread, after the last trip of the burst: nothing left open.
            assert await SyncToAsync(raw_connection, thread_sensitive=True)() is None
        finally:
            connection_created.disconnect(record)

    asyncio.run(run())


def test_a_gate_lets_width_trips_in_at_once():
    gate = TripGate(3)
    inside = peak = 0

    async def handshake() -> None:
        nonlocal inside, peak
        async with gate.admitted():
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    async def run() -> None:
        await asyncio.gather(*(handshake() for _ in range(30)))
        assert TripGate.waiting == 0

    asyncio.run(run())
    assert peak == 3


def test_a_gate_serves_each_event_loop_on_its_own():
    gate = TripGate(1)

    async def twice() -> None:
        async with gate.admitted():
            pass
        async with gate.admitted():
            pass

    asyncio.run(twice())
    asyncio.run(twice())  # a semaphore bound to the first loop would refuse the second


def connection_is_open() -> bool:
    return connection.connection is not None


def wait_until_idle(threads: ReadThreads, width: int) -> None:
    deadline = time.monotonic() + 10
    while threads.idle < width:
        assert time.monotonic() < deadline, f"{threads.idle} of {width} read threads went idle"
        time.sleep(0.01)


def burst_of_reads(threads: ReadThreads, trips: int) -> tuple[set[str], list[str]]:
    """Names of the threads that took part, and the connections opened meanwhile."""
    opened: list[str] = []
    names: set[str] = set()
    together = threading.Barrier(threads.width)  # every thread holds a trip before any reads
    first = threading.local()

    def read() -> int:
        if not getattr(first, "done", False):
            first.done = True
            names.add(threading.current_thread().name)
            together.wait(timeout=10)
        return count_comments()

    def record(sender, connection, **kwargs) -> None:
        opened.append(connection.alias)

    connection_created.connect(record)
    try:
        futures = [threads.submit(read) for _ in range(trips)]
        assert [future.result(timeout=10) for future in futures] == [0] * trips
    finally:
        connection_created.disconnect(record)
    return names, opened


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_read_threads_open_a_connection_each_for_a_whole_burst():
    names, opened = burst_of_reads(ReadThreads(3), 30)
    assert names == {"database-reads-0", "database-reads-1", "database-reads-2"}
    assert len(opened) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_idle_read_threads_hold_no_connection(requires_postgres):  # SQLite keeps in-memory ones open
    threads = ReadThreads(3)
    burst_of_reads(threads, 30)
    wait_until_idle(threads, 3)
    together = threading.Barrier(3)

    def probe() -> bool:
        together.wait(timeout=10)  # one probe per thread
        return connection_is_open()

    assert [future.result(timeout=10) for future in [threads.submit(probe) for _ in range(3)]] == [False] * 3


def test_a_read_trip_raises_what_its_function_raises_and_the_thread_goes_on():
    threads = ReadThreads(1)

    def refuse() -> None:
        raise ThreadError("not_found", "No such thread.")

    with pytest.raises(ThreadError):
        threads.submit(refuse).result(timeout=10)
    assert threads.submit(lambda: threading.current_thread().name).result(timeout=10) == "database-reads-0"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_read_trips_run_on_the_read_threads_or_with_none_on_the_database_thread(settings):
    def thread_name() -> str:
        return threading.current_thread().name

    async def names() -> tuple[str, str]:
        return await read_trip(thread_name)(), await database_trip(thread_name)()

    settings.DATABASE_READ_THREADS = 2
    read, write = asyncio.run(names())
    assert read.startswith("database-reads-") and not write.startswith("database-reads-")
    settings.DATABASE_READ_THREADS = 0
    read, write = asyncio.run(names())
    assert read == write


def test_a_read_thread_that_fails_to_close_its_connection_goes_on(monkeypatch, caplog):
    def cannot_close() -> None:
        raise OSError("the database went away")

    monkeypatch.setattr(trips, "close_broken_connections", cannot_close)
    threads = ReadThreads(1)
    assert [threads.submit(lambda n=n: n).result(timeout=10) for n in range(3)] == [0, 1, 2]
    assert "closing its database connection failed" in caplog.text
