"""Reconnect storm: 300 clients on a thread, the server restarted while comments keep arriving.

    nice -n 10 .venv/bin/python bench/storm.py    # ~40 s: 300 signed-in clients, 5 comments/s, one restart

Every client behaves like the browser client: it keeps the ids it has seen,
reconnects with the same jittered backoff when its socket drops, and after the new
snapshot sends ``sync`` after the last id it saw (paging while ``has_more``).
A signed-in publisher posts ``--rate`` comments/s through the protocol; what
is not acknowledged when its socket drops is sent again after it reconnects,
with the same ``client_id``. ``--restart-after`` seconds in, the server is
stopped (SIGTERM; ``--crash`` for SIGKILL) and started again on the same port.

Reported: time from the restart until every client has reconnected and
finished its sync, then, once publishing ends, gaps (a stored comment some
client never got) and duplicates (a comment stored twice for one
``client_id``, or a different id acknowledged for a retried one): both must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import uuid

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.clients import CONNECT_CONCURRENCY, next_frame, now, open_socket
from bench.fixtures import add_database_argument, bench_database, in_django
from tests.live_server import DaphneProcess

TARGET_SECONDS = 15
SOCKET_ERRORS = (OSError, TimeoutError, InvalidHandshake, ConnectionClosed)


class Reader:
    """One browser tab on the thread: it keeps what it has seen and catches up after a drop."""

    def __init__(self, url: str, page_id: int, session_key: str | None) -> None:
        self.url, self.page_id, self.session_key = url, page_id, session_key
        self.ids: set[int] = set()
        self.seen_at: dict[int, float] = {}  # when each comment first arrived
        self.connects = 0
        self.redundant = 0  # comments received again (snapshot and sync overlap); dropped by id
        self.synced_at: float | None = None
        self.closes: dict[int | None, int] = {}  # sockets the server closed (or lost), by close code
        self.refused = 0  # reconnections whose handshake failed

    def take(self, comments: list[dict]) -> None:
        for comment in comments:
            if comment["id"] in self.ids:
                self.redundant += 1
            else:
                self.seen_at[comment["id"]] = now()
            self.ids.add(comment["id"])

    def retry_delay(self, attempt: int) -> float:
        """The pause before connection attempt ``attempt`` (0 after a snapshot): none, then
        site/static/js/thread.js's min(30 s, 1 s x 2^n) x [0.5, 1) one step behind."""
        return min(30, 2 ** (attempt - 1)) * random.uniform(0.5, 1) if attempt else 0.0

    async def run(self, stop: asyncio.Event, first_connect: asyncio.Semaphore) -> None:
        attempt = 0
        while not stop.is_set():
            await asyncio.sleep(self.retry_delay(attempt))
            attempt += 1
            try:
                if self.connects:
                    socket = await open_socket(self.url, self.page_id, self.session_key)
                else:  # the initial crowd arrives a few at a time; the storm is what follows
                    async with first_connect:
                        socket = await open_socket(self.url, self.page_id, self.session_key)
                        self.take((await next_frame(socket, "thread.snapshot"))["comments"])
                        self.connects = 1
                        attempt = 0
            except SOCKET_ERRORS:
                self.refused += self.connects > 0
                continue
            last_seen = max(self.ids, default=None)
            try:
                async for message in socket:
                    frame = json.loads(message)
                    kind = frame["type"]
                    if kind == "thread.snapshot":
                        self.connects += 1
                        attempt = 0
                        self.take(frame["comments"])
                        if last_seen is not None and self.connects > 1:
                            self.synced_at = None
                            await socket.send(json.dumps({"type": "sync", "after": last_seen}))
                    elif kind == "thread.sync":
                        self.take(frame["comments"])
                        if frame["has_more"]:
                            await socket.send(json.dumps({"type": "sync", "after": frame["last_id"]}))
                        else:
                            self.synced_at = now()
                    elif kind == "comment.created":
                        self.take([frame["comment"]])
                    if stop.is_set():
                        break
            except SOCKET_ERRORS:
                pass
            finally:
                if not stop.is_set():
                    self.closes[socket.close_code] = self.closes.get(socket.close_code, 0) + 1
                await socket.close()


class Publisher:
    """A signed-in person posting at a steady rate, retrying unacknowledged comments by client_id."""

    def __init__(self, url: str, page_id: int, session_key: str, *, tag: str, rate: float) -> None:
        self.url, self.page_id, self.session_key = url, page_id, session_key
        self.tag, self.rate = tag, rate
        self.pending: dict[int, str] = {}
        self.acked: dict[int, set[int]] = {}  # seq -> comment ids acknowledged for it
        self.errors: dict[str, int] = {}
        self.socket = None

    async def write(self, duration: float) -> None:
        """Make a comment every 1/rate s; send it now if connected, else when reconnected."""
        started = now()
        for seq in range(int(duration * self.rate)):
            await asyncio.sleep(max(0.0, started + seq / self.rate - now()))
            frame = {"type": "comment.create", "body": f"storm {self.tag} {seq}", "parent": None}
            self.pending[seq] = json.dumps({**frame, "client_id": f"{self.tag}-{seq}"})
            if self.socket is not None:
                with contextlib.suppress(*SOCKET_ERRORS):  # if not, it is resent after the reconnect
                    await self.socket.send(self.pending[seq])

    async def connection(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                socket = await open_socket(self.url, self.page_id, self.session_key)
                await next_frame(socket, "thread.snapshot")
                for text in list(self.pending.values()):
                    await socket.send(text)
            except SOCKET_ERRORS:
                await asyncio.sleep(0.25)
                continue
            self.socket = socket
            try:
                async for message in socket:
                    frame = json.loads(message)
                    client_id = frame.get("client_id") or (frame.get("comment") or {}).get("client_id")
                    if not str(client_id).startswith(self.tag):
                        continue
                    seq = int(client_id.rsplit("-", 1)[1])
                    if frame["type"] == "comment.created":
                        self.acked.setdefault(seq, set()).add(frame["comment"]["id"])
                        self.pending.pop(seq, None)
                    elif frame["type"] == "error":
                        self.errors[frame["code"]] = self.errors.get(frame["code"], 0) + 1
                        if frame["code"] == "unavailable":
                            await asyncio.sleep(0.2)
                            await socket.send(self.pending[seq])
            except SOCKET_ERRORS:
                pass
            finally:
                self.socket = None
                await socket.close()


async def storm(server: DaphneProcess, page_id: int, keys: list[str], publisher_key: str, args) -> int:
    tag = uuid.uuid4().hex[:8]
    stop = asyncio.Event()
    readers = [Reader(server.url, page_id, key) for key in keys]
    first_connect = asyncio.Semaphore(CONNECT_CONCURRENCY)
    reader_tasks = [asyncio.create_task(r.run(stop, first_connect)) for r in readers]
    connect_started = now()
    while sum(r.connects > 0 for r in readers) < len(readers):
        await asyncio.sleep(0.1)
    print(f"{len(readers)} clients connected in {now() - connect_started:.1f} s", flush=True)
    publisher = Publisher(server.url, page_id, publisher_key, tag=tag, rate=args.rate)
    publisher_task = asyncio.create_task(publisher.connection(stop))
    writer = asyncio.create_task(publisher.write(args.duration))

    await asyncio.sleep(args.restart_after)
    restarted_at = now()
    await asyncio.to_thread(server.restart, graceful=not args.crash)
    back_at = now()
    caught_up_at = None
    deadline = restarted_at + args.wait
    while now() < deadline:
        if all(r.connects > 1 and r.synced_at is not None for r in readers):
            caught_up_at = max(r.synced_at for r in readers)
            break
        await asyncio.sleep(0.1)
    await writer
    drain_until = now() + args.drain
    while now() < drain_until and (
        publisher.pending or not all(set().union(*publisher.acked.values()) <= r.ids for r in readers)
    ):
        await asyncio.sleep(0.1)
    stop.set()
    for task in [*reader_tasks, publisher_task]:
        task.cancel()
    await asyncio.gather(*reader_tasks, publisher_task, return_exceptions=True)

    saved = set().union(*publisher.acked.values()) if publisher.acked else set()
    gaps = sum(len(saved - r.ids) for r in readers)
    twice_acked = sum(len(ids) > 1 for ids in publisher.acked.values())
    stored = in_django(f"stored_comments({page_id}, {tag!r})", database_url=server.database_url)
    duplicates = twice_acked + stored["stored"] - stored["client_ids"]
    behind = sum(not (r.connects > 1 and r.synced_at) for r in readers)
    caught = f"{caught_up_at - restarted_at:.1f} s" if caught_up_at else f"not within {args.wait:g} s"
    print(f"server {'killed' if args.crash else 'stopped'} and back in {back_at - restarted_at:.1f} s")
    print(f"every client reconnected and synced {caught} after the restart ({behind} not caught up)")
    print(
        f"comments: {int(args.duration * args.rate)} written, {len(saved)} acknowledged, "
        f"{stored['stored']} stored, {len(publisher.pending)} still pending, errors {publisher.errors or 0}"
    )
    print(
        f"gaps {gaps}, duplicates {duplicates}; redundant deliveries dropped by id "
        f"{sum(r.redundant for r in readers)} (snapshot and sync overlap)"
    )
    ok = caught_up_at is not None and caught_up_at - restarted_at <= TARGET_SECONDS and not gaps
    return 0 if ok and not duplicates and not publisher.pending else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument(
        "--users", type=int, default=300, help="distinct people behind the clients (0: anonymous readers)"
    )
    parser.add_argument("--rate", type=float, default=5, help="comments per second")
    parser.add_argument("--duration", type=float, default=12, help="seconds of publishing")
    parser.add_argument("--restart-after", type=float, default=3)
    parser.add_argument("--wait", type=float, default=30, help="give up on catching up after this")
    parser.add_argument("--drain", type=float, default=10)
    parser.add_argument("--crash", action="store_true", help="SIGKILL instead of SIGTERM")
    add_database_argument(parser)
    args = parser.parse_args(argv)

    with bench_database(args) as database_url:
        usernames = [f"bench-storm-{n}" for n in range(args.users)]
        post, sessions = in_django(
            f"(bench_post(), signed_in({[*usernames, 'bench-publisher']!r}))", database_url=database_url
        )
        publisher_key = sessions.pop("bench-publisher")
        keys = [sessions[usernames[n % len(usernames)]] if usernames else None for n in range(args.clients)]
        print(
            f"storm: {args.clients} clients of {args.users} people on thread {post['id']}, "
            f"{args.rate:g} comments/s for {args.duration:g} s, restart at {args.restart_after:g} s",
            flush=True,
        )
        env = {"DEBUG": "false", "REDIS_URL": None, "COMMENT_RATE_LIMIT": str(10**9)}
        with DaphneProcess(database_url, env=env) as server:
            return asyncio.run(storm(server, post["id"], keys, publisher_key, args))


if __name__ == "__main__":
    sys.exit(main())
