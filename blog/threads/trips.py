"""``database_trip`` and ``read_trip``: the sockets' ways onto the database, keeping a connection while busy.

Channels' ``database_sync_to_async`` runs every call on one thread per
process and closes the thread's database connections before and after each
call (``CONN_MAX_AGE`` is 0: under ASGI a persistent connection would be left
behind by every request thread). That is right when calls are rare. When 200
sockets open at once, each handshake's trip paid for a new connection and its
close: on SQLite, about a quarter of the database thread's time in a burst
(``bench/burst.py --profile``), and the thread is what a handshake waits for.

So a trip keeps the connection when another trip is already queued behind
it, and closes it as Channels does when it is the last one: a quiet process
holds no connection, a busy one opens one per burst instead of one per trip.
A connection that raised an error and no longer answers is closed either way,
so a database restart costs the trips in flight, not the rest of the burst.

A handshake's trip (session, page access, snapshot) writes nothing, and on
PostgreSQL and Redis most of it is spent waiting for answers: in a burst of
1,000 handshakes over two processes, three quarters of the database thread's
samples were waits on a socket (``bench/burst.py --processes 2 --profile``).
``read_trip`` runs such trips on a few threads of their own
(``DATABASE_READ_THREADS``), so those waits overlap and a comment's write
finds no handshake ahead of it on the database thread. On SQLite the setting
is 0 and reads stay on the database thread: SQLite answers in-process, under
the same interpreter lock, so more threads would only take turns.
"""

import asyncio
import contextlib
import logging
import queue
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future

from django.conf import settings
from django.db import close_old_connections, connections

from asgiref.sync import SyncToAsync

logger = logging.getLogger(__name__)


class DatabaseTrip(SyncToAsync):
    """``database_sync_to_async`` (same thread, same ``thread_sensitive``), with connection reuse."""

    # Trips called and not yet finished in this process; read on the database
    # thread, changed on the event loop. A stale read costs one extra close or
    # keeps one connection a trip longer, nothing more.
    in_flight = 0
    _kept = False  # the last trip left its connections open for the next

    def __init__(self, func) -> None:
        super().__init__(func, thread_sensitive=True)

    async def __call__(self, *args, **kwargs):
        DatabaseTrip.in_flight += 1
        try:
            return await super().__call__(*args, **kwargs)
        finally:
            DatabaseTrip.in_flight -= 1

    def thread_handler(self, loop, *args, **kwargs):
        if not DatabaseTrip._kept:
            close_old_connections()  # whatever another caller left on this thread
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            # This one counts itself; handshakes at the gate come here only
            # when there are no read threads.
            if DatabaseTrip.in_flight > 1 or (TripGate.waiting and settings.DATABASE_READ_THREADS <= 0):
                close_broken_connections()
                DatabaseTrip._kept = True
            else:
                close_old_connections()
                DatabaseTrip._kept = False


def close_broken_connections() -> None:
    """Close this thread's connections that failed and no longer answer (Django's own test)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if not connection.get_autocommit() or (connection.errors_occurred and not connection.is_usable()):
            connection.close()
        else:
            connection.errors_occurred = False


database_trip = DatabaseTrip


class ReadThreads(Executor):
    """``width`` threads for trips that only read, each keeping its connection while trips are queued.

    A thread takes the next queued trip on the connection it has; it closes
    its connections only when it finds the queue empty, just before it waits.
    So a burst reuses ``width`` connections, and a quiet process holds none.
    Threads start as trips first arrive, up to ``width``.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.idle = 0  # threads waiting for a trip, their connections closed

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args, kwargs))
        with self._lock:
            if len(self._threads) < self.width:
                thread = threading.Thread(
                    target=self._work, name=f"database-reads-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        while True:
            try:
                future, fn, args, kwargs = self._queue.get_nowait()
            except queue.Empty:
                self._tidy(close_old_connections)  # nothing queued: hold no connection while idle
                with self._lock:
                    self.idle += 1
                future, fn, args, kwargs = self._queue.get()
                with self._lock:
                    self.idle -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to the awaiting coroutine, as any executor does
                future.set_exception(error)
            else:
                future.set_result(result)
            finally:
                self._tidy(close_broken_connections)

    @staticmethod
    def _tidy(close: Callable[[], None]) -> None:
        """Close connections; a failure to (the database gone) must not end the thread."""
        try:
            close()
        except Exception:
            logger.warning("read thread: closing its database connection failed", exc_info=True)


_read_threads: ReadThreads | None = None
_read_threads_lock = threading.Lock()


def read_trip(func: Callable) -> Callable:
    """``func``, which only reads, as a coroutine function on the read threads (or the database thread).

    ``DATABASE_READ_THREADS`` of 0 sends it to ``database_trip``. What ``func``
    changes in this process (kept reads, a socket's own fields) must be safe
    from several threads at once: ``site.kept.KeptReads`` is.
    """
    global _read_threads
    width = settings.DATABASE_READ_THREADS
    if width <= 0:
        return database_trip(func)
    with _read_threads_lock:
        if _read_threads is None or _read_threads.width != width:
            _read_threads = ReadThreads(width)
    return SyncToAsync(func, thread_sensitive=False, executor=_read_threads)


class TripGate:
    """At most ``width`` trips of one kind queued for the database at once, per event loop.

    The database thread takes trips in order. When 200 handshakes arrive at
    once they fill its queue, and a comment posted meanwhile waits behind all
    of them (2.5 s in ``bench/burst.py``). Handshakes wait here instead, on the
    event loop, so a write finds at most ``width`` of them ahead of it (with
    read threads, none: the gate then bounds what they queue). Trips waiting
    here count as queued: the database thread keeps its connection for them
    when it is where they go.

        async with HANDSHAKES.admitted(within=2.5):  # TimeoutError if not let in by then
            await read_trip(...)()
    """

    waiting = 0  # trips waiting at any gate of this process

    def __init__(self, width: int) -> None:
        self.width = width
        self._gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()  # tests run a loop each; a semaphore belongs to one
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.width)
        return gate

    @contextlib.asynccontextmanager
    async def admitted(self, *, within: float | None = None) -> AsyncIterator[None]:
        gate = self._gate()
        TripGate.waiting += 1
        try:
            async with asyncio.timeout(within):
                await gate.acquire()
        finally:
            TripGate.waiting -= 1
        try:
            yield
        finally:
            gate.release()
