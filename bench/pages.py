"""Pages: requests/s and latency under daphne and under gunicorn + uvicorn workers; queries per page.

    nice -n 10 .venv/bin/python bench/pages.py     # ~1 minute: 4 pages x anonymous/signed-in x 2 setups

The pages are the home page, a blog post whose thread holds 50 comments (made
through the comment service, with replies and reactions), a topic stream and
the blog index, each anonymous and signed in. ``wrk`` drives them for a few
seconds each (one thread, a few connections) against one daphne process and
against the setup we recommend for production HTTP (gunicorn with two uvicorn
workers; ``bench/requirements.txt``). A trivial Django view (``bench/bare_channels``)
is measured under both as the machine's calibration point: the issue quotes
the same view on bakerydemo's machine, so its figures scale to this one.
Queries per page come from Django's test client with ``CaptureQueriesContext``
(the second request: caches warm).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

from bench.fixtures import add_database_argument, demo_database, in_django
from tests.live_server import DaphneProcess

SETUPS = {
    "daphne x1": {"server": "daphne", "workers": 1},
    "gunicorn+uvicorn x2": {"server": "gunicorn", "workers": 2},
}
# The bakerydemo figures (blog post page, req/s) and its trivial view's, per setup.
BAKERYDEMO_POST = {"daphne x1": 40, "gunicorn+uvicorn x2": 113}
BAKERYDEMO_TRIVIAL = {"daphne x1": 470, "gunicorn+uvicorn x2": 6200}
TARGET_FACTOR = 1.5


def wrk(url: str, *, seconds: float, connections: int, cookie: str | None = None) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Host: 127.0.0.1"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, flags=re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50": latency.get("50", "-"),
        "p99": latency.get("99", "-"),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--comments", type=int, default=50)
    add_database_argument(parser)
    args = parser.parse_args(argv)

    with demo_database(args.template) as database_url:
        post, pages, sessions, queries = in_django(
            f"(fill_thread(bench_post()['id'], comments={args.comments}), page_urls(), signed_in(['sam']),"
            f" query_counts())",
            database_url=database_url,
        )
        pages = {**pages, f"post ({post['comments']} comments)": post["url"]}
        cookie = f"sessionid={sessions['sam']}"
        print("queries per page (anonymous / signed in):")
        for name, counts in queries.items():
            print(f"  {name:<28} {counts['anonymous']:>3} / {counts['signed in']:>3}")
        figures: dict[tuple[str, str, str], dict] = {}
        env = {"DEBUG": "false", "REDIS_URL": None}
        for setup, options in SETUPS.items():
            trivial = DaphneProcess(
                database_url,
                env={**env, "DJANGO_SETTINGS_MODULE": "bench.bare_channels.settings"},
                application="bench.bare_channels.asgi:application",
                **options,
            )
            with trivial:
                figures[setup, "trivial view", "-"] = wrk(
                    f"{trivial.url}/", seconds=args.seconds, connections=args.connections
                )
            with DaphneProcess(database_url, env=env, **options) as server:
                for name, path in pages.items():
                    for who, who_cookie in (("anonymous", None), ("signed in", cookie)):
                        figures[setup, name, who] = wrk(
                            f"{server.url}{path}",
                            seconds=args.seconds,
                            connections=args.connections,
                            cookie=who_cookie,
                        )
        print(f"\n{'setup':<21} {'page':<28} {'who':<10} {'req/s':>8} {'p50':>9} {'p99':>9}  bad/errors")
        for (setup, name, who), f in figures.items():
            print(
                f"{setup:<21} {name:<28} {who:<10} {f['rps']:>8.1f} {f['p50']:>9} {f['p99']:>9}  "
                f"{f['bad']} {f['errors']}"
            )
        print("\nthe post page against bakerydemo's blog post, scaled by the trivial view measured here:")
        for setup in SETUPS:
            scale = figures[setup, "trivial view", "-"]["rps"] / BAKERYDEMO_TRIVIAL[setup]
            bakery_here = BAKERYDEMO_POST[setup] * scale
            post_name = next(name for name in pages if name.startswith("post"))
            for who in ("anonymous", "signed in"):
                ours = figures[setup, post_name, who]["rps"]
                print(
                    f"  {setup:<21} {who:<10} ours {ours:7.1f} req/s, bakerydemo here ~{bakery_here:6.1f}:"
                    f" {ours / bakery_here:5.2f}x (target {TARGET_FACTOR}x)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
