"""WebSocket and HTTP clients, and statistics, shared by the benchmarks."""

from __future__ import annotations

import asyncio
import json
import math
import time
import urllib.request
from collections.abc import Iterable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

# Handshakes in flight at once: a crowd arriving, not a stampede (daphne gives an
# application 5 s to accept a socket before it drops the handshake).
CONNECT_CONCURRENCY = 10


def ws_url(base_url: str, page_id: int) -> str:
    return base_url.replace("http://", "ws://") + f"/ws/threads/{page_id}/"


async def open_socket(base_url: str, page_id: int, session_key: str | None = None) -> ClientConnection:
    """A thread socket as a browser opens it: same-origin, with the session cookie if signed in."""
    headers = {"Cookie": f"sessionid={session_key}"} if session_key else {}
    return await connect(
        ws_url(base_url, page_id),
        origin=base_url,
        additional_headers=headers,
        compression=None,
        open_timeout=30,
        ping_interval=None,
        max_size=None,
        max_queue=None,
    )


class Handshakes:
    """How many handshakes a run retried, as the browser client does after a refusal."""

    retried = 0


async def open_many(
    targets: Iterable[tuple[str, int, str | None]], *, attempts: int = 5
) -> list[ClientConnection]:
    """Open sockets ``CONNECT_CONCURRENCY`` at a time; each has read its snapshot.

    A handshake the server drops (daphne drops one its application has not
    accepted within 5 s) is retried after a pause, like the browser client's
    backoff, and counted in ``Handshakes.retried``.
    """
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(base_url: str, page_id: int, session_key: str | None) -> ClientConnection:
        for attempt in range(attempts):
            async with gate:
                try:
                    socket = await open_socket(base_url, page_id, session_key)
                    await next_frame(socket, "thread.snapshot")
                    return socket
                except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed):
                    if attempt == attempts - 1:
                        raise
                    Handshakes.retried += 1
            await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    return list(await asyncio.gather(*(one(*target) for target in targets)))


async def next_frame(socket: ClientConnection, frame_type: str, timeout: float = 30) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == frame_type:
                return frame


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (sorted or not); nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def now() -> float:
    return time.perf_counter()


def page_bytes(url: str, *, cookie: str | None = None) -> int:
    """The body's size in bytes as ``wrk`` gets it (no ``Accept-Encoding``, so uncompressed)."""
    headers = {"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:  # noqa: S310 - our own http URL
        return len(response.read())
