"""Handshake burst: N sockets opened at once on one daphne, and a comment posted meanwhile.

    nice -n 10 .venv/bin/python bench/burst.py                 # 200 at once, signed in (200 people)
    nice -n 10 .venv/bin/python bench/burst.py --users 1       # 200 tabs of one person
    nice -n 10 .venv/bin/python bench/burst.py --users 0       # 200 anonymous readers
    nice -n 10 .venv/bin/python bench/burst.py --rounds 3      # ours and bare, interleaved
    nice -n 10 .venv/bin/python bench/burst.py --sockets 1000 --processes 2 \
        --postgres postgres://postgres@127.0.0.1:5432/postgres  # 2 daphne, Redis pub/sub, PostgreSQL

Every socket starts its handshake in the same instant (no client-side gate,
as when a link to a busy post goes out in chat) and counts as accepted once
its ``thread.snapshot`` arrives. A socket the server closed (with its code) or
dropped without an answer (daphne's 5 s handshake timeout) is counted apart;
one closed with 4013 ("busy") comes back after the browser client's backoff,
and its time counts from its first try. Half a second into the burst a
publisher that was already connected posts ``comment.create``; its acknowledgement time is the figure for
"another person's comment during the burst". The bare Channels app (no
database, no auth) takes the same burst, as the floor. With ``--processes``
above 1 the sockets are spread round-robin over that many daphne processes,
which share channels-redis's pub/sub layer (and, for ours, the cache) on
Redis, as a site scaled out does; bare Channels gets the same processes and
layer.

Before the burst each person loads the post page once, signed in, from the
same server: a browser opens its socket from the page it has just loaded, so
the server has read that person's session lately (sessions are kept in the
cache, ``cached_db``). ``--cold`` skips it: every handshake then reads its
session from the database, as the first handshakes after a restart do with
the in-memory cache (``bench/storm.py`` measures that case end to end).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import uuid
from collections import Counter
from contextlib import ExitStack

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from bench.clients import ms, next_frame, now, open_socket, page_bytes, percentile
from bench.fixtures import (  # noqa: F401 - bench_post and signed_in are names for in_django
    add_database_argument,
    add_redis_argument,
    bench_database,
    bench_post,
    in_django,
    redis_layer,
    signed_in,
)
from tests.live_server import DaphneProcess

SHED = "closed 4013"  # "busy, try again later" (docs/threads-protocol.md)


async def attempt(url: str, page_id: int, key: str | None, timeout: float) -> tuple[str, object]:
    """("accepted", socket) or (outcome, None) for a refused, closed or dropped handshake."""
    try:
        async with asyncio.timeout(timeout):
            socket = await open_socket(url, page_id, key)
            await next_frame(socket, "thread.snapshot", timeout=timeout)
        return "accepted", socket
    except InvalidStatus as error:
        return f"refused {error.response.status_code}", None
    except ConnectionClosed as error:
        return f"closed {error.rcvd.code if error.rcvd else 'without a code'}", None
    except (InvalidHandshake, OSError, EOFError):
        return "dropped", None
    except TimeoutError:
        return "timed out", None


async def one_handshake(
    url: str, page_id: int, key: str | None, timeout: float
) -> tuple[str, float, object, int]:
    """Like the browser client: after a 4013 it comes back with a jittered backoff (1 s, 2 s, ...).

    Returns the last outcome, the seconds from the first try to it, the socket
    if accepted, and how many times it was shed on the way.
    """
    started, shed = now(), 0
    while True:
        outcome, socket = await attempt(url, page_id, key, timeout)
        if outcome != SHED or shed == 4:
            return outcome, now() - started, socket, shed
        await asyncio.sleep(min(8.0, 2.0**shed) * (0.5 + random.random() / 2))
        shed += 1


async def burst(
    urls: list[str], page_id: int, keys: list[str | None], publisher_key: str | None, timeout: float
):
    publisher = await open_socket(urls[0], page_id, publisher_key)
    await next_frame(publisher, "thread.snapshot")
    acknowledged: list[float] = []

    async def publish() -> None:
        await asyncio.sleep(0.5)
        client_id = uuid.uuid4().hex
        sent = now()
        await publisher.send(
            json.dumps({"type": "comment.create", "body": "Posted during the burst", "client_id": client_id})
        )
        async with asyncio.timeout(60):
            while True:
                frame = json.loads(await publisher.recv())
                if frame.get("type") == "comment.created" and frame["comment"].get("client_id") == client_id:
                    acknowledged.append(now() - sent)
                    return
                if frame.get("type") == "error" and frame.get("client_id") == client_id:
                    raise RuntimeError(f"the comment was refused: {frame}")

    started = now()
    results, _ = await asyncio.gather(
        asyncio.gather(
            *(one_handshake(urls[n % len(urls)], page_id, key, timeout) for n, key in enumerate(keys))
        ),
        publish(),
    )
    took = now() - started
    await asyncio.gather(*(s.close() for _, _, s, _ in results if s is not None), publisher.close())
    return results, acknowledged[0], took


def measure(name: str, database_url: str, args, post: dict, keys: list, publisher_key) -> dict:
    env: dict[str, str | None] = {"DEBUG": "false", "REDIS_URL": None}
    if args.processes > 1:
        env["REDIS_URL"] = redis_layer(name, args.redis_url)
    application = "site.asgi:application"
    if name == "bare":
        env["DJANGO_SETTINGS_MODULE"] = "bench.bare_channels.settings"
        application = "bench.bare_channels.asgi:application"
        keys = [None for _ in keys]
        publisher_key = None
    with ExitStack() as servers:
        started = [
            servers.enter_context(DaphneProcess(database_url, env=env, application=application))
            for _ in range(args.processes)
        ]
        if name == "ours" and not args.cold:  # each person's page, as their browser loaded it
            first_socket = {key: n for n, key in reversed(list(enumerate(keys))) if key}
            for key, n in first_socket.items():  # from the process that socket goes to
                page_bytes(f"{started[n % len(started)].url}{post['url']}", cookie=f"sessionid={key}")
        profiler = None
        if args.profile and name == "ours":  # collapsed stacks of every thread, idle ones included
            profiler = subprocess.Popen(
                [
                    sys.executable.replace("python", "py-spy"),
                    "record",
                    "--pid",
                    str(started[0].pid),
                    "--idle",
                    "--threads",
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "--output",
                    args.profile,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            asyncio.run(asyncio.sleep(1))
        results, acknowledged, took = asyncio.run(
            burst([s.url for s in started], post["id"], keys, publisher_key, args.timeout)
        )
        if profiler is not None:
            profiler.send_signal(2)
            profiler.wait(timeout=30)
    outcomes = Counter(outcome for outcome, _, _, _ in results)
    accepted = [seconds for outcome, seconds, _, _ in results if outcome == "accepted"]
    shed = sum(1 for *_, times in results if times)
    figures = {
        "accepted": outcomes["accepted"],
        "p50": percentile(accepted, 0.5),
        "p99": percentile(accepted, 0.99),
        "ack": acknowledged,
        "shed": shed,
    }
    others = ", ".join(
        f"{count} {outcome}" for outcome, count in sorted(outcomes.items()) if outcome != "accepted"
    )
    print(
        f"{name:<5} {figures['accepted']}/{len(results)} accepted in {took:.1f} s"
        f"{f', {shed} of them after a 4013 and a backoff' if shed else ''}"
        f"{' (' + others + ')' if others else ''}; handshake p50 {ms(figures['p50'])}, "
        f"p99 {ms(figures['p99'])}; the publisher's comment acknowledged in {ms(acknowledged)}",
        flush=True,
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument(
        "--users", type=int, default=200, help="distinct people behind the sockets (0: anonymous)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds of bare and ours")
    parser.add_argument(
        "--processes", "-p", type=int, default=1, help="daphne processes; above 1, on Redis pub/sub"
    )
    parser.add_argument("--timeout", type=float, default=15, help="seconds a client waits for its snapshot")
    parser.add_argument("--profile", help="record our server with py-spy into this file (collapsed stacks)")
    parser.add_argument(
        "--cold", action="store_true", help="no page load first: every session is read from the database"
    )
    add_database_argument(parser)
    add_redis_argument(parser)
    args = parser.parse_args(argv)

    with bench_database(args) as database_url:
        usernames = [f"bench-burst-{n}" for n in range(max(args.users, 0))] + ["bench-burst-publisher"]
        post, sessions = in_django(f"(bench_post(), signed_in({usernames!r}))", database_url=database_url)
        publisher_key = sessions.pop("bench-burst-publisher")
        people = list(sessions.values())
        keys = [people[n % len(people)] if people else None for n in range(args.sockets)]
        who = f"{args.users} people" if args.users else "anonymous"
        sessions_read = "from the database" if args.cold else "after a page load"
        where = "1 daphne" if args.processes == 1 else f"{args.processes} daphne on Redis pub/sub"
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"burst: {args.sockets} sockets at once ({who}, sessions {sessions_read}) on post {post['id']},"
            f" {where}, {database}, {args.rounds} round(s)"
        )
        rounds = []
        for _ in range(args.rounds):
            bare = measure("bare", database_url, args, post, keys, publisher_key)
            ours = measure("ours", database_url, args, post, keys, publisher_key)
            rounds.append((bare, ours))
    for bare, ours in rounds:
        print(
            f"ours/bare: accepted {ours['accepted']}/{bare['accepted']}, "
            f"p50 {ours['p50'] / bare['p50']:.2f}x, p99 {ours['p99'] / bare['p99']:.2f}x, "
            f"comment acknowledged {ms(ours['ack'])} (bare {ms(bare['ack'])})"
        )
    met = all(ours["accepted"] == args.sockets and ours["p99"] < 3 and ours["ack"] < 1 for _, ours in rounds)
    print(f"targets (all accepted, p99 < 3 s, comment < 1 s): {'met' if met else 'not met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
