"""Clients that stop reading while 500 comments are broadcast: the others do not notice.

A stalled client is a raw TCP socket with a tiny receive buffer: it opens the
thread (handshake and all, signed in so that presence shows it), then never
reads again, nor answers pings. daphne buffers without limit what it cannot
send (Twisted has no back-pressure here), so only the keepalive bounds what a
stalled client costs: the server, started with short pings as production
should be, must drop it. Meanwhile a normal reader receives every comment in
order, and the server's memory does not grow with what the stalled clients
fail to take.

The broadcast is sized and paced so that this can fail: three stalled
clients that were kept would hold about 10 MiB each (500 frames of ~20 KiB,
less the ~2 MiB the kernel buffers), while the keepalive drops them within
the first few seconds of a broadcast that lasts over ten.

The scenario runs once per module; each test checks one promise of it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.faults.test_abuse import frame_of_type
from tests.faults.thread_clients import answer_to, comment_create, open_thread
from tests.live_server import (
    DaphneProcess,
    open_connection_peers,
    resident_memory_kib,
    signed_in_cookie,
    thread_posts,
)

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

BROADCASTS = 500
STALLED = 3
# 4 bytes a character in UTF-8, near the protocol's 5,000-character limit: ~20 KiB a frame.
BODY = "\N{SLIGHTLY SMILING FACE}" * 4_990
# At most this many comments a second, so that the broadcast outlasts the keepalive.
PUBLISH_RATE = 40
PING_INTERVAL, PING_TIMEOUT = 1, 2
# Between what dropped clients cost (a few MiB of noise) and what three kept
# ones would hold (~25 MiB, see above).
RSS_GROWTH_LIMIT_KIB = 12 * 1024
STALLED_NAME = "Priya Nair"


class StalledClient:
    """A WebSocket client that completes the handshake and then never reads again."""

    def __init__(self, base_url: str, page_id: int, cookie: str) -> None:
        port = int(base_url.rsplit(":", 1)[1])
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connecting, so the advertised window stays small.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.socket.settimeout(30)
        self.socket.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.socket.sendall(
            (
                f"GET /ws/threads/{page_id}/ HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {base_url}\r\nCookie: {cookie}\r\n\r\n"
            ).encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.socket.recv(1024)
            if not chunk:
                break
            response += chunk
        self.status_line = response.split(b"\r\n", 1)[0].decode(errors="replace")
        self.port = self.socket.getsockname()[1]

    def close(self) -> None:
        self.socket.close()


class MemorySampler:
    """The server's resident memory, sampled every tenth of a second in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = resident_memory_kib(pid)
        self.highest = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.highest = max(self.highest, resident_memory_kib(self.pid))
            except (FileNotFoundError, ProcessLookupError):
                return

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@dataclass
class Outcome:
    stalled_status: list[str] = field(default_factory=list)
    stalled_ports: list[int] = field(default_factory=list)
    stalled_seen: bool = False  # presence listed the stalled person once they had connected
    stalled_gone: bool = False  # ... and then stopped listing them
    gone_after_seconds: float | None = None  # since the broadcast began
    held_open_at_end: set[int] = field(default_factory=set)  # stalled ports the server still held
    acked_ids: list[int] = field(default_factory=list)
    received_ids: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    broadcast_seconds: float = 0.0
    rss_baseline_kib: int = 0
    rss_highest_kib: int = 0
    rss_end_kib: int = 0
    log: str = ""


async def broadcast_past_stalled_clients(server: DaphneProcess, outcome: Outcome) -> None:
    _, page_id = thread_posts(server.url)[3]
    publisher_cookie = signed_in_cookie(server.url, "amira")
    reader_cookie = signed_in_cookie(server.url, "sam")
    stalled_cookie = signed_in_cookie(server.url, "priya")
    async with (
        open_thread(server.url, page_id, publisher_cookie) as publisher,
        open_thread(server.url, page_id, reader_cookie) as reader,
    ):
        await frame_of_type(publisher, "thread.snapshot")
        await frame_of_type(reader, "thread.snapshot")
        # Warm up: the first comment loads code and caches that every later one uses.
        await publisher.send(comment_create("slow-warm-up", BODY))
        await answer_to(publisher, "slow-warm-up")
        await frame_of_type(reader, "comment.created")
        await asyncio.sleep(1)

        async def read_until(done: Callable[[], bool]) -> None:
            while not done():
                frame = json.loads(await reader.recv())
                if frame["type"] == "comment.created":
                    outcome.received_ids.append(frame["comment"]["id"])
                elif frame["type"] == "presence":
                    listed = STALLED_NAME in frame["users"]
                    outcome.stalled_seen |= listed
                    if outcome.stalled_seen and not listed and not outcome.stalled_gone:
                        outcome.stalled_gone = True
                        outcome.gone_after_seconds = time.monotonic() - started

        async def publish() -> None:
            for n in range(BROADCASTS):
                await publisher.send(comment_create(f"slow-{n}", f"{n} {BODY}"))
                await asyncio.sleep(1 / PUBLISH_RATE)

        async def collect_acks() -> None:
            while len(outcome.acked_ids) + len(outcome.errors) < BROADCASTS:
                frame = json.loads(await publisher.recv())
                if frame["type"] == "comment.created":
                    outcome.acked_ids.append(frame["comment"]["id"])
                elif frame["type"] == "error":
                    outcome.errors.append(frame)

        stalled: list[StalledClient] = []
        with MemorySampler(server.pid) as memory:
            try:
                for _ in range(STALLED):
                    stalled.append(
                        await asyncio.to_thread(StalledClient, server.url, page_id, stalled_cookie)
                    )
                started = time.monotonic()
                async with asyncio.timeout(180):
                    await asyncio.gather(
                        publish(),
                        collect_acks(),
                        read_until(lambda: len(outcome.received_ids) >= BROADCASTS),
                    )
                outcome.broadcast_seconds = time.monotonic() - started
                # Should the drop come after the last comment, give it the keepalive's time and some.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(PING_INTERVAL + PING_TIMEOUT + 10):
                        await read_until(lambda: outcome.stalled_gone)
                held = open_connection_peers(server.pid, server.port)
                outcome.held_open_at_end = {client.port for client in stalled} & held
            finally:
                for client in stalled:
                    client.close()
        outcome.stalled_status = [client.status_line for client in stalled]
        outcome.stalled_ports = [client.port for client in stalled]
        outcome.rss_baseline_kib, outcome.rss_highest_kib = memory.baseline, memory.highest
        outcome.rss_end_kib = resident_memory_kib(server.pid)


@pytest.fixture(scope="module")
def outcome(fault_database_url: str) -> Iterator[Outcome]:
    server = DaphneProcess(
        fault_database_url,
        env={"REDIS_URL": None, "COMMENT_RATE_LIMIT": "100000"},
        server_args=["--ping-interval", str(PING_INTERVAL), "--ping-timeout", str(PING_TIMEOUT)],
    ).start()
    outcome = Outcome()
    try:
        asyncio.run(broadcast_past_stalled_clients(server, outcome))
        time.sleep(0.5)  # let the server write what it logs about the drops
        outcome.log = server.log_tail(5000)
        yield outcome
    finally:
        server.stop(graceful=False)


def test_the_other_reader_receives_every_comment_in_order(outcome: Outcome):
    assert all(status.startswith("HTTP/1.1 101") for status in outcome.stalled_status), outcome.stalled_status
    assert outcome.errors == []
    assert len(outcome.acked_ids) == BROADCASTS
    assert outcome.received_ids == outcome.acked_ids == sorted(outcome.acked_ids)


def test_the_stalled_clients_are_dropped_while_the_broadcast_goes_on(outcome: Outcome):
    # Presence listed the stalled person, then stopped: the server ended their consumers...
    assert outcome.stalled_seen
    assert outcome.stalled_gone
    assert outcome.gone_after_seconds < outcome.broadcast_seconds, (
        f"dropped {outcome.gone_after_seconds:.1f} s into a {outcome.broadcast_seconds:.1f} s broadcast"
    )
    # ... and closed their connections, buffers and all.
    assert outcome.held_open_at_end == set()


def test_the_server_memory_stays_bounded(outcome: Outcome):
    growth = outcome.rss_highest_kib - outcome.rss_baseline_kib
    assert growth <= RSS_GROWTH_LIMIT_KIB, (
        f"RSS grew by {growth} KiB from {outcome.rss_baseline_kib} KiB (at the end {outcome.rss_end_kib} KiB)"
    )


def test_the_drop_is_logged_with_the_client_it_dropped(outcome: Outcome):
    # daphne's access log names every connection as it comes and goes; a drop needs a line of its own.
    access_log = ('"WSCONNECTING ', '"WSCONNECT ', '"WSDISCONNECT ', '"WSREJECT ')
    for port in outcome.stalled_ports:
        lines = [
            line
            for line in outcome.log.splitlines()
            if f"127.0.0.1:{port}" in line and not any(entry in line for entry in access_log)
        ]
        assert lines, f"no line of the server log says that 127.0.0.1:{port} was dropped"
