"""Redis outage: signed-in clients on a thread over Redis, Redis stopped for a few seconds, per layer class.

    nice -n 10 .venv/bin/python bench/outage.py --template /tmp/bench-outage-demo.sqlite3   # ~4 min
    nice -n 10 .venv/bin/python bench/outage.py --layer plain --rounds 1                     # one run, ~1 min

Compares ``--layer recovering`` (``site.layers``, the site's: sockets stay
open through the outage and are closed with 4012 once Redis answers again)
with ``--layer plain`` (channels-redis's own pub/sub class,
``bench/plain_layer_settings.py``). Several layers run interleaved, A B A B,
``--rounds`` times.

Each run has its own copy of the demo database, its own ``redis-server`` on a
free port (the server's channel layer and cache) and one daphne. ``--clients``
signed-in people open the thread and behave like the browser client
(``site/static/js/thread.js``: the same jittered backoff, 0.5-1 s before the
first reconnection, ``sync`` after the last id seen); a signed-in publisher
posts ``--rate`` comments/s and resends what was not acknowledged with the
same ``client_id`` (``bench/storm.py``'s). ``--outage-after`` seconds into
publishing, Redis is stopped; ``--outage`` seconds later it is started again,
empty, as after a crash without persistence.

Reported per run: sockets the server closed (while Redis was down, and
after), failed reconnection handshakes, the time from Redis back until every
client holds every comment written before then (the ones written during the
outage included), gaps (comments some client never got) and duplicates at
the end, and ERROR lines and tracebacks in the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import sys
import time
import uuid

from bench.clients import CONNECT_CONCURRENCY, now
from bench.fixtures import add_database_argument, bench_database, in_django
from bench.storm import Publisher, Reader
from tests.live_server import SERVER_SETTINGS, DaphneProcess, RedisProcess

LAYER_SETTINGS = {"recovering": SERVER_SETTINGS, "plain": "bench.plain_layer_settings"}
SERVER_ERRORS = re.compile(r" ERROR |Traceback|Exception inside application")
CRASHES = re.compile(r"Exception inside application")


class BrowserReader(Reader):
    """storm.py's reader with thread.js's backoff exactly: 0.5-1 s before the first reconnection too."""

    def retry_delay(self, attempt: int) -> float:
        if not attempt and not self.connects:  # the page's first connection
            return 0.0
        return min(30, 2**attempt) * random.uniform(0.5, 1)


async def outage(
    server: DaphneProcess, own_redis: RedisProcess, page_id: int, keys, publisher_key, args
) -> dict:
    tag = uuid.uuid4().hex[:8]
    stop = asyncio.Event()
    readers = [BrowserReader(server.url, page_id, key) for key in keys]
    first_connect = asyncio.Semaphore(CONNECT_CONCURRENCY)
    reader_tasks = [asyncio.create_task(r.run(stop, first_connect)) for r in readers]
    while sum(r.connects > 0 for r in readers) < len(readers):
        await asyncio.sleep(0.1)
    publisher = Publisher(server.url, page_id, publisher_key, tag=tag, rate=args.rate)
    publisher_task = asyncio.create_task(publisher.connection(stop))
    written = int(args.duration * args.rate)
    write_started = now()
    writer = asyncio.create_task(publisher.write(args.duration))

    await asyncio.sleep(args.outage_after)
    down_at = now()
    await asyncio.to_thread(own_redis.stop)
    await asyncio.sleep(max(0.0, down_at + args.outage - now()))
    await asyncio.to_thread(own_redis.start)
    back_at = now()
    closed_while_down = sum(sum(r.closes.values()) for r in readers)
    refused_while_down = sum(r.refused for r in readers)
    # Every comment written before Redis was back, those written during the outage included.
    before_back = min(written, math.ceil((back_at - write_started) * args.rate))

    def outage_ids() -> set[int]:
        """The comments stored so far of those written before Redis was back."""
        return set().union(*(publisher.acked.get(seq, ()) for seq in range(before_back)))

    def all_stored() -> bool:
        return all(seq in publisher.acked for seq in range(before_back))

    stored_at = None  # when the publisher had every comment written before then acknowledged
    deadline = back_at + args.wait
    while now() < deadline:
        if stored_at is None and all_stored():
            stored_at = now()
        if stored_at is not None and all(outage_ids() <= r.ids for r in readers):
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

    ids = outage_ids()
    behind = sum(not ids <= r.ids for r in readers)  # clients lacking a stored one
    caught_up = None
    if all_stored() and not behind:
        caught_up = max((r.seen_at[i] for r in readers for i in ids), default=back_at) - back_at
    saved = set().union(*publisher.acked.values()) if publisher.acked else set()
    stored = in_django(f"stored_comments({page_id}, {tag!r})", database_url=server.database_url)
    codes: dict[int | None, int] = {}
    for reader in readers:
        for code, count in reader.closes.items():
            codes[code] = codes.get(code, 0) + count
    log = server.log_path.read_text(errors="replace").splitlines()
    errors = [line for line in log if SERVER_ERRORS.search(line)]
    return {
        "down": back_at - down_at,
        "closed_while_down": closed_while_down,
        "closed": sum(codes.values()),
        "codes": codes,
        "refused": sum(r.refused for r in readers),
        "refused_while_down": refused_while_down,
        "caught_up": caught_up,
        "behind": behind,
        "unstored": sum(seq not in publisher.acked for seq in range(before_back)),
        "stored_after": None if stored_at is None else stored_at - back_at,
        "before_back": before_back,
        "written": written,
        "acknowledged": len(saved),
        "stored": stored["stored"],
        "pending": len(publisher.pending),
        "gaps": sum(len(saved - r.ids) for r in readers),
        "duplicates": sum(len(ids) > 1 for ids in publisher.acked.values())
        + stored["stored"]
        - stored["client_ids"],
        "publisher_errors": publisher.errors,
        "server_errors": len(errors),
        "crashes": sum(bool(CRASHES.search(line)) for line in log),
        "error_kinds": sorted({_error_kind(line) for line in errors}),
        "log": str(server.log_path),
    }


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _error_kind(line: str) -> str:
    """A log line without its timestamp, for telling kinds of errors apart."""
    return re.sub(r"^\d{4}-\d\d-\d\d [\d:,]+ ", "", line)[:100]


def run_once(layer: str, args) -> dict:
    with bench_database(args) as database_url:
        usernames = [f"bench-outage-{n}" for n in range(args.clients)]
        post, sessions = in_django(
            f"(bench_post(), signed_in({[*usernames, 'bench-publisher']!r}))", database_url=database_url
        )
        publisher_key = sessions.pop("bench-publisher")
        keys = [sessions[name] for name in usernames]
        own_redis = RedisProcess()
        own_redis.start()
        env = {
            "DEBUG": "false",
            "COMMENT_RATE_LIMIT": str(10**9),
            "REDIS_URL": own_redis.url,
            "DJANGO_SETTINGS_MODULE": LAYER_SETTINGS[layer],
        }
        try:
            with DaphneProcess(database_url, env=env) as server:
                return asyncio.run(outage(server, own_redis, post["id"], keys, publisher_key, args))
        finally:
            own_redis.stop()


def describe(layer: str, result: dict, args) -> str:
    caught = (
        f"{result['caught_up']:.1f} s"
        if result["caught_up"] is not None
        else f"never within {args.wait:g} s ({result['behind']} of {args.clients} clients lack some stored; "
        f"{result['unstored']} never acknowledged to the publisher)"
    )
    codes = (
        ", ".join(f"{code}: {count}" for code, count in sorted(result["codes"].items(), key=str)) or "none"
    )
    return "\n".join(
        [
            f"{layer}: Redis down {result['down']:.1f} s",
            f"  sockets closed {result['closed']} ({result['closed_while_down']} while Redis was down; "
            f"close codes {codes}), failed reconnection handshakes {result['refused']} "
            f"({result['refused_while_down']} while Redis was down)",
            f"  every client held the {result['before_back']} comments written before Redis was back: "
            f"{caught}",
            f"  comments {result['written']} written, {result['acknowledged']} acknowledged, "
            f"{result['stored']} stored, {result['pending']} pending; "
            f"publisher errors {result['publisher_errors'] or 0}; all written before Redis was back "
            f"acknowledged {_seconds(result['stored_after'])} after it",
            f"  gaps {result['gaps']}, duplicates {result['duplicates']}; server errors logged "
            f"{result['server_errors']}, consumer crashes {result['crashes']}",
            f"  kinds of error: {'; '.join(result['error_kinds'][:4]) or '-'}",
            f"  server log: {result['log']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", nargs="+", choices=list(LAYER_SETTINGS), default=["recovering", "plain"])
    parser.add_argument("--rounds", type=int, default=2, help="each layer this many times, interleaved")
    parser.add_argument("--clients", type=int, default=200, help="signed-in clients, one person each")
    parser.add_argument("--rate", type=float, default=4, help="comments per second")
    parser.add_argument("--duration", type=float, default=15, help="seconds of publishing")
    parser.add_argument("--outage-after", type=float, default=3, help="seconds into publishing")
    parser.add_argument("--outage", type=float, default=5, help="seconds Redis stays down")
    parser.add_argument("--wait", type=float, default=25, help="give up catching up this long after")
    parser.add_argument("--drain", type=float, default=5)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        parser.error("needs redis-server on PATH")

    print(
        f"outage: {args.clients} signed-in clients, {args.rate:g} comments/s for {args.duration:g} s, "
        f"Redis (pub/sub layer) down at {args.outage_after:g} s for {args.outage:g} s",
        flush=True,
    )
    results = []
    for round_number in range(1, args.rounds + 1):
        for layer in args.layer:
            started, load = time.monotonic(), os.getloadavg()[0]
            result = run_once(layer, args)
            results.append((layer, result))
            print(
                f"[round {round_number}, {time.monotonic() - started:.0f} s, load average {load:.1f}] "
                f"{describe(layer, result, args)}",
                flush=True,
            )
    columns = [
        "layer", "sockets closed (while down)", "failed handshakes (while down)",
        "all caught up after Redis back", "gaps", "duplicates", "server errors (consumer crashes)",
    ]  # fmt: skip
    print("\n| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for layer, r in results:
        caught = f"{r['caught_up']:.1f} s" if r["caught_up"] is not None else f"never ({r['behind']} behind)"
        if r["unstored"]:
            caught += f", {r['unstored']} unsent"
        print(
            f"| {layer} | {r['closed']} ({r['closed_while_down']}) "
            f"| {r['refused']} ({r['refused_while_down']}) | {caught} "
            f"| {r['gaps']} | {r['duplicates']} | {r['server_errors']} ({r['crashes']}) |"
        )
    ok = all(r["caught_up"] is not None and not r["gaps"] and not r["duplicates"] for _, r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
