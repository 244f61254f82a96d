"""Live fan-out: N subscribers on one thread, a publisher at R comments/s, ours beside bare Channels.

    nice -n 10 .venv/bin/python bench/fanout.py                 # 200 subscribers, 20/s, 1 daphne, in-memory
    nice -n 10 .venv/bin/python bench/fanout.py --processes 2   # channels-redis pub/sub
    nice -n 10 .venv/bin/python bench/fanout.py --subscribers 500 --processes 2

Each setup gets fresh server processes. The publisher is a signed-in person
(a session made through Django) posting ``comment.create`` with a
``client_id`` through the real protocol, so persistence, auth, rate limiting
and sanitising are all in the path; the subscribers are anonymous readers
spread round-robin over the processes. Latency is from the publisher's send
to each subscriber's receipt, measured in this one client process. The same
load then runs against ``bench/bare_channels`` (one group, ``group_send`` per
message, no database, no auth) under the same server and layer, and the
report ends with the ratio ours / bare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.clients import ms, next_frame, now, open_many, open_socket, percentile
from bench.fixtures import add_database_argument, add_redis_argument, bench_database, in_django, redis_layer
from tests.live_server import DaphneProcess

APPS = {
    "ours": ("site.asgi:application", None),
    "bare": ("bench.bare_channels.asgi:application", "bench.bare_channels.settings"),
}
PUBLISHER = "bench-publisher"


@dataclass
class Result:
    name: str
    subscribers: int
    sent: int = 0
    saved: set[int] = field(default_factory=set)
    errors: Counter = field(default_factory=Counter)
    refused: set[int] = field(default_factory=set)  # answered with an error: not saved, not expected
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    duplicates: int = 0
    reordered: int = 0
    loop_lag_p99: float = 0.0
    server_cpu: list[float] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return (self.sent - len(self.refused)) * self.subscribers

    @property
    def ratio(self) -> float:
        return self.delivered / self.expected if self.expected else 0.0

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)

    def line(self) -> str:
        cpu = " ".join(f"{c:.0%}" for c in self.server_cpu)
        errors = ",".join(f"{k}:{v}" for k, v in self.errors.items()) or "0"
        return (
            f"{self.name:<5} p50 {ms(self.p(0.5)):>8} p95 {ms(self.p(0.95)):>8} p99 {ms(self.p(0.99)):>8} "
            f"max {ms(max(self.latencies, default=float('nan'))):>8}  delivered {self.ratio:.4f} "
            f"({self.delivered}/{self.expected})  dup {self.duplicates}  reordered {self.reordered}  "
            f"sent {self.sent} saved {len(self.saved)} errors {errors}  "
            f"server CPU {cpu}  client loop lag p99 {ms(self.loop_lag_p99)}"
        )


async def measure(name: str, urls: list[str], page_id: int, session_key: str | None, args) -> Result:
    tag = uuid.uuid4().hex[:8]
    pattern = re.compile(rf"bench {tag} (\d+)")
    result = Result(name, args.subscribers)
    sockets = await open_many((urls[i % len(urls)], page_id, None) for i in range(args.subscribers))
    received: list[list[tuple[int, float]]] = [[] for _ in sockets]

    async def read(socket, into: list[tuple[int, float]]) -> None:
        async for message in socket:
            at = now()
            if '"comment.created"' in message and (match := pattern.search(message)):
                into.append((int(match.group(1)), at))

    readers = [asyncio.create_task(read(s, received[i])) for i, s in enumerate(sockets)]
    publisher = await open_socket(urls[0], page_id, session_key)
    await next_frame(publisher, "thread.snapshot")
    await asyncio.sleep(1)  # let the connection burst (and any presence frames) settle
    sent: dict[int, float] = {}

    async def acknowledgements() -> None:
        async for message in publisher:
            frame = json.loads(message)
            if frame["type"] == "comment.created" and str(frame["comment"]["client_id"]).startswith(tag):
                result.saved.add(int(frame["comment"]["client_id"].rsplit("-", 1)[1]))
            elif frame["type"] == "error":
                result.errors[frame["code"]] += 1
                if str(frame.get("client_id")).startswith(tag):
                    result.refused.add(int(frame["client_id"].rsplit("-", 1)[1]))

    lags: list[float] = []

    async def watch_loop() -> None:
        while True:
            before = now()
            await asyncio.sleep(0.01)
            lags.append(now() - before - 0.01)

    acks, watcher = asyncio.create_task(acknowledgements()), asyncio.create_task(watch_loop())
    cpu_before = [server_cpu_seconds(pid) for pid in args.pids]
    started = now()
    for seq in range(int(args.rate * args.duration)):
        await asyncio.sleep(max(0.0, started + seq / args.rate - now()))
        frame = {"type": "comment.create", "body": f"bench {tag} {seq}", "parent": None}
        sent[seq] = now()
        await publisher.send(json.dumps({**frame, "client_id": f"{tag}-{seq}"}))
    result.sent = len(sent)
    deadline = now() + args.drain
    while now() < deadline:
        answered = len(result.saved) + sum(result.errors.values()) >= result.sent
        if answered and all(len(r) >= result.sent - len(result.refused) for r in received):
            break
        await asyncio.sleep(0.05)
    elapsed = now() - started
    result.server_cpu = [
        (server_cpu_seconds(pid) - before) / elapsed
        for pid, before in zip(args.pids, cpu_before, strict=True)
    ]
    for task in [*readers, acks, watcher]:
        task.cancel()
    await asyncio.gather(*(s.close() for s in [*sockets, publisher]), return_exceptions=True)

    result.loop_lag_p99 = percentile(lags, 0.99)
    for into in received:
        seqs = [seq for seq, _ in into]
        unique = set(seqs)
        result.duplicates += len(seqs) - len(unique)
        result.delivered += len(unique - result.refused)
        highest = -1
        for seq, at in into:
            if seq < highest:
                result.reordered += 1
            highest = max(highest, seq)
            result.latencies.append(at - sent[seq])
    return result


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(name: str, args, database_url: str, page_id: int, session_key: str) -> Result:
    application, settings_module = APPS[name]
    env: dict[str, str | None] = {"COMMENT_RATE_LIMIT": str(10**9), "DEBUG": "false", "REDIS_URL": None}
    if args.layer == "pubsub":
        env["REDIS_URL"] = redis_layer(name, args.redis_url)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    servers = [
        DaphneProcess(database_url, env=env, server=args.server, application=application)
        for _ in range(args.processes)
    ]
    try:
        for server in servers:
            server.start()
        args.pids = [server.pid for server in servers]
        return asyncio.run(measure(name, [s.url for s in servers], page_id, session_key, args))
    finally:
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", "-n", type=int, default=200)
    parser.add_argument("--rate", "-r", type=float, default=20, help="comments per second")
    parser.add_argument("--duration", "-d", type=float, default=6, help="seconds of publishing per setup")
    parser.add_argument("--drain", type=float, default=5, help="seconds to wait for stragglers")
    parser.add_argument("--processes", "-p", type=int, default=1)
    parser.add_argument(
        "--layer",
        choices=["memory", "pubsub"],
        help="default: memory with 1 process, else channels-redis's pub/sub (the site's)",
    )
    add_redis_argument(parser)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--only", choices=["ours", "bare"], help="run one setup, not both")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    args.layer = args.layer or ("pubsub" if args.processes > 1 else "memory")
    if args.processes > 1 and args.layer == "memory":
        parser.error("several processes need --layer pubsub")

    with bench_database(args) as database_url:
        post, sessions = in_django(f"(bench_post(), signed_in([{PUBLISHER!r}]))", database_url=database_url)
        session_key = sessions[PUBLISHER]
        print(
            f"fan-out: {args.subscribers} subscribers, {args.rate:g} comments/s for {args.duration:g} s, "
            f"{args.processes} x {args.server}, {args.layer} layer, thread {post['id']}",
            flush=True,
        )
        results = {}
        for name in ["bare", "ours"] if args.only is None else [args.only]:
            results[name] = run(name, args, database_url, post["id"], session_key)
            print(results[name].line(), flush=True)
    if len(results) == 2:
        ours, bare = results["ours"], results["bare"]
        print(
            f"ratio ours/bare: p50 {ours.p(0.5) / bare.p(0.5):.2f}  p95 {ours.p(0.95) / bare.p(0.95):.2f}  "
            f"p99 {ours.p(0.99) / bare.p(0.99):.2f}"
        )
    clean = all(r.ratio == 1.0 and not r.duplicates and not r.reordered for r in results.values())
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
