"""The sockets' trips to the database thread: one connection per burst, and a gate for handshakes."""

import asyncio

from django.db import connection
from django.db.backends.signals import connection_created

import pytest
from asgiref.sync import SyncToAsync

from blog.threads.models import Comment
from blog.threads.trips import TripGate, database_trip


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
