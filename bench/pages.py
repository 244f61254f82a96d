"""Pages: requests/s and latency under daphne and under gunicorn + uvicorn workers; queries per page.

    nice -n 10 .venv/bin/python bench/pages.py     # ~2 minutes: 4 pages x 3 readers x 2 setups

The pages are the home page, a blog post whose thread holds 50 comments (made
through the comment service, with replies and reactions), a topic stream and
the blog index, each read three ways: anonymous from the page cache (the
site as it runs), anonymous built every time (a server without the page
cache, ``bench/uncached_settings.py``) and signed in (never cached). ``wrk``
drives each for a few seconds (one thread, a few connections) against one
daphne process and against the setup we recommend for production HTTP
(gunicorn with two uvicorn workers; ``bench/requirements.txt``). A trivial
Django view (``bench/bare_channels``) is measured under both, before and after
the pages, as the machine's calibration point: the issue quotes the same view
on bakerydemo's machine, so its figures scale to this one. Queries per page
come from Django's test client with ``CaptureQueriesContext`` (the second
request: caches warm).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

from bench.fixtures import add_database_argument, in_django
from tests.live_server import DaphneProcess, demo_database

SETUPS = {
    "daphne x1": {"server": "daphne", "workers": 1},
    "gunicorn+uvicorn x2": {"server": "gunicorn", "workers": 2},
}
# The bakerydemo figures (blog post page, req/s) and its trivial view's, per setup.
BAKERYDEMO_POST = {"daphne x1": 40, "gunicorn+uvicorn x2": 113}
BAKERYDEMO_TRIVIAL = {"daphne x1": 470, "gunicorn+uvicorn x2": 6200}
TARGET_FACTOR = 1.5
READERS = ("anonymous, cached", "anonymous, built", "signed in")
UNCACHED_SETTINGS = "bench.uncached_settings"


def query_counts(urls: dict[str, str], username: str = "sam") -> dict[str, dict[str, int]]:
    """Queries per page (run inside Django): a cache hit, building it anonymous, building it signed in."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from bench.uncached_settings import MIDDLEWARE as uncached

    user = get_user_model().objects.get(username=username)
    counts: dict[str, dict[str, int]] = {name: {} for name in urls}
    for reader in READERS:
        client = Client(SERVER_NAME="127.0.0.1")
        if reader == "signed in":
            client.force_login(user)
        with override_settings(MIDDLEWARE=uncached if reader == "anonymous, built" else settings.MIDDLEWARE):
            for name, url in urls.items():
                client.get(url)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                counts[name][reader] = len(queries)
    return counts


def wrk(url: str, *, seconds: float, connections: int, cookie: str | None = None) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-H", "Host: 127.0.0.1"]
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
        post, pages, sessions = in_django(
            f"(fill_thread(bench_post()['id'], comments={args.comments}), page_urls(), signed_in(['sam']))",
            database_url=database_url,
        )
        pages = {**pages, f"post ({post['comments']} comments)": post["url"]}
        queries = in_django(
            f"__import__('bench.pages').pages.query_counts({pages!r})", database_url=database_url
        )
        cookie = f"sessionid={sessions['sam']}"
        print(f"queries per page ({' / '.join(READERS)}):")
        for name, counts in queries.items():
            print(f"  {name:<28} " + " / ".join(f"{counts[reader]:>3}" for reader in READERS))
        figures: dict[tuple[str, str, str], dict] = {}
        env = {"DEBUG": "false", "REDIS_URL": None}
        for setup, options in SETUPS.items():
            # The calibration view before and after the pages: on a shared
            # machine one 2-second figure can be off by half.
            figures[setup, "trivial view", "before"] = trivial_view(database_url, env, options, args)
            with DaphneProcess(database_url, env=env, **options) as server:
                for name, path in pages.items():
                    for reader, reader_cookie in (("anonymous, cached", None), ("signed in", cookie)):
                        figures[setup, name, reader] = wrk(
                            f"{server.url}{path}",
                            seconds=args.seconds,
                            connections=args.connections,
                            cookie=reader_cookie,
                        )
            uncached_env = {**env, "DJANGO_SETTINGS_MODULE": UNCACHED_SETTINGS}
            with DaphneProcess(database_url, env=uncached_env, **options) as server:
                for name, path in pages.items():
                    figures[setup, name, "anonymous, built"] = wrk(
                        f"{server.url}{path}", seconds=args.seconds, connections=args.connections
                    )
            figures[setup, "trivial view", "after"] = trivial_view(database_url, env, options, args)
        print(f"\n{'setup':<21} {'page':<28} {'reader':<18} {'req/s':>8} {'p50':>9} {'p99':>9}  bad/errors")
        for (setup, name, reader), f in sorted(figures.items(), key=_table_order):
            print(
                f"{setup:<21} {name:<28} {reader:<18} {f['rps']:>8.1f} {f['p50']:>9} {f['p99']:>9}  "
                f"{f['bad']} {f['errors']}"
            )
        print(
            "\nthe post page against bakerydemo's blog post, scaled by the trivial view (mean of both runs):"
        )
        for setup in SETUPS:
            trivial = (
                figures[setup, "trivial view", "before"]["rps"]
                + figures[setup, "trivial view", "after"]["rps"]
            ) / 2
            scale = trivial / BAKERYDEMO_TRIVIAL[setup]
            bakery_here = BAKERYDEMO_POST[setup] * scale
            post_name = next(name for name in pages if name.startswith("post"))
            for reader in READERS:
                ours = figures[setup, post_name, reader]["rps"]
                print(
                    f"  {setup:<21} {reader:<18} ours {ours:7.1f} req/s, bakerydemo here ~{bakery_here:6.1f}:"
                    f" {ours / bakery_here:5.2f}x (target {TARGET_FACTOR}x)"
                )
    return 0


def trivial_view(database_url: str, env: dict, options: dict, args) -> dict:
    """wrk against ``bench/bare_channels``'s trivial Django view, served by the same setup."""
    server = DaphneProcess(
        database_url,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.bare_channels.settings"},
        application="bench.bare_channels.asgi:application",
        **options,
    )
    with server:
        return wrk(f"{server.url}/", seconds=args.seconds, connections=args.connections)


def _table_order(item) -> tuple:
    (setup, name, reader), _ = item
    return (list(SETUPS).index(setup), name != "trivial view", name, reader)


if __name__ == "__main__":
    sys.exit(main())
