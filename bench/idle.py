"""Idle capacity: resident memory per idle authenticated WebSocket in one daphne process.

    nice -n 10 .venv/bin/python bench/idle.py              # 1,000 sockets; bare Channels beside it

Sockets are signed in (``--users`` people, each with several tabs, as staff
keep a post open) and spread over every thread of the demo, so presence and
its heartbeats are part of the cost. After a warm-up batch the process's RSS
(``VmRSS``) is read, ``--sockets`` more are opened, the server is given a few
seconds to settle, and RSS is read again: the growth divided by the sockets is
the figure. The bare Channels app (anonymous, one group) is measured the same
way, as the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from bench.clients import Handshakes, open_many
from bench.fixtures import add_database_argument, bench_database, in_django
from tests.live_server import DaphneProcess

TARGET_KIB = 150


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def grow(url: str, pid: int, targets: list, warmup: int, settle: float) -> tuple[int, int, float]:
    """Open ``warmup`` sockets, read RSS, open the rest, settle, read RSS again."""
    first = await open_many((url, page, key) for page, key in targets[:warmup])
    await asyncio.sleep(settle)
    before = rss_kib(pid)
    started = time.monotonic()
    rest = await open_many((url, page, key) for page, key in targets[warmup:])
    opened_in = time.monotonic() - started
    await asyncio.sleep(settle)
    after = rss_kib(pid)
    await asyncio.gather(*(s.close() for s in first + rest), return_exceptions=True)
    return before, after, opened_in


def measure(name: str, database_url: str, targets: list, args) -> float:
    env: dict[str, str | None] = {"DEBUG": "false", "REDIS_URL": None}
    application = "site.asgi:application"
    if name == "bare":
        env["DJANGO_SETTINGS_MODULE"] = "bench.bare_channels.settings"
        application = "bench.bare_channels.asgi:application"
        targets = [(1, None) for _ in targets]
    with DaphneProcess(database_url, env=env, application=application) as server:
        before, after, opened_in = asyncio.run(
            grow(server.url, server.pid, targets, args.warmup, args.settle)
        )
    per_socket = (after - before) / args.sockets
    Handshakes.retried = 0
    print(
        f"{name:<5} RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB with {args.sockets} more sockets "
        f"(opened in {opened_in:.1f} s, {Handshakes.retried} handshakes retried): "
        f"{per_socket:.1f} KiB per socket, {per_socket * 1000 / 1024:.1f} MiB per 1,000",
        flush=True,
    )
    return per_socket


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--users", type=int, default=100, help="distinct people behind the sockets")
    parser.add_argument("--settle", type=float, default=3, help="seconds before each RSS reading")
    add_database_argument(parser)
    args = parser.parse_args(argv)

    with bench_database(args) as database_url:
        usernames = [f"bench-idle-{n}" for n in range(args.users)]
        pages, sessions = in_django(f"(thread_pages(), signed_in({usernames!r}))", database_url=database_url)
        keys = list(sessions.values())
        total = args.warmup + args.sockets
        targets = [(pages[n % len(pages)], keys[n % len(keys)]) for n in range(total)]
        print(
            f"idle: {args.warmup} + {args.sockets} sockets of {args.users} people over {len(pages)} threads",
            flush=True,
        )
        bare = measure("bare", database_url, targets, args)
        ours = measure("ours", database_url, targets, args)
    print(f"ratio ours/bare: {ours / bare:.2f}; target <= {TARGET_KIB} KiB per socket: {ours:.0f} KiB")
    return 0 if ours <= TARGET_KIB else 1


if __name__ == "__main__":
    sys.exit(main())
