"""Pages: requests/s under daphne and under gunicorn + uvicorn workers, beside bakerydemo's blog post.

    nice -n 10 .venv/bin/python bench/pages.py                            # ours alone
    nice -n 10 .venv/bin/python bench/pages.py --bakerydemo /tmp/bakerydemo  # and bakerydemo, side by side

The pages are the home page, a blog post whose thread holds 50 comments (made
through the comment service, with replies and reactions), a topic stream and
the blog index, each read three ways: anonymous from the page cache (the
site as it runs), anonymous built every time (a server without the page
cache, ``bench/uncached_settings.py``) and signed in (never cached). ``wrk``
drives each for a few seconds (one thread, a few connections) against one
daphne process and against the setup we recommend for production HTTP
(gunicorn with two uvicorn workers; ``bench/requirements.txt``). Queries per
page come from Django's test client with ``CaptureQueriesContext`` (the
second request: caches warm).

The reference is bakerydemo, Wagtail's own demo site, run here: ``--bakerydemo
DIR`` is its source at commit 8e2b625. The script installs it into a
virtualenv of its own in a scratch folder (``--bakerydemo-scratch``, reused
by later runs), with its ``requirements/base.txt`` and the daphne, gunicorn
and uvicorn versions Pairwise pins, writes a settings module and an ASGI
entry there (SQLite, DEBUG off, no Redis), migrates and loads its initial
data. Each round then measures, per setup, our post page for the three
readers and then bakerydemo's blog post (built on every request: it has no
page cache), so that both share the machine's load of that minute; it prints
ours / bakerydemo per reader and round. The first round also measures the
other pages; later rounds the post only.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from tempfile import gettempdir

from bench.bakerydemo import (
    BAKERYDEMO_COMMIT,
    BAKERYDEMO_PAGE,
    Bakerydemo,
    BakerydemoServer,
    default_bakerydemo_python,
    prepare_bakerydemo,
    python_is_recent,
)
from bench.clients import page_bytes
from bench.fixtures import add_database_argument, bench_database, in_django
from tests.live_server import PROJECT_DIR, DaphneProcess

SETUPS = {
    "daphne x1": {"server": "daphne", "workers": 1},
    "gunicorn+uvicorn x2": {"server": "gunicorn", "workers": 2},
}
READERS = ("anonymous, cached", "anonymous, built", "signed in")
UNCACHED_SETTINGS = "bench.uncached_settings"
WARM_UP_SECONDS = 1
# The targets for our post page against bakerydemo's, under each setup.
TARGETS = {"anonymous, cached": 20, "anonymous, built": 2, "signed in": 1.5}

# --- Our site ------------------------------------------------------------------------


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


def prepare_our_site(database_url: str, comments: int) -> tuple[dict[str, str], str]:
    """Fill the post's thread and sign ``sam`` in; the pages to measure (post last) and the session cookie."""
    post, pages, sessions = in_django(
        f"(fill_thread(bench_post()['id'], comments={comments}), page_urls(), signed_in(['sam']))",
        database_url=database_url,
    )
    pages = {**pages, f"post ({post['comments']} comments)": post["url"]}
    return pages, f"sessionid={sessions['sam']}"


def print_query_counts(database_url: str, pages: dict[str, str]) -> None:
    queries = in_django(f"__import__('bench.pages').pages.query_counts({pages!r})", database_url=database_url)
    print(f"queries per page ({' / '.join(READERS)}):")
    for name, counts in queries.items():
        print(f"  {name:<28} " + " / ".join(f"{counts[reader]:>3}" for reader in READERS))


def measure_our_site(database_url: str, pages: dict[str, str], cookie: str, options: dict, args) -> dict:
    """Each page for each reader under one setup: ``{(page, reader): figures}``.

    Cached and signed-in readers share a server; the built reader gets one
    without the page cache.
    """
    env = {"DEBUG": "false", "REDIS_URL": None}
    figures = {}
    with DaphneProcess(database_url, env=env, **options) as server:
        for name, path in pages.items():
            for reader, reader_cookie in (("anonymous, cached", None), ("signed in", cookie)):
                figures[name, reader] = measure(f"{server.url}{path}", args, cookie=reader_cookie)
    uncached_env = {**env, "DJANGO_SETTINGS_MODULE": UNCACHED_SETTINGS}
    with DaphneProcess(database_url, env=uncached_env, **options) as server:
        for name, path in pages.items():
            figures[name, "anonymous, built"] = measure(f"{server.url}{path}", args)
    return figures


# --- Measuring -----------------------------------------------------------------------


def measure(url: str, args, *, cookie: str | None = None) -> dict:
    """``wrk`` figures for one URL, and the page's weight.

    A discarded ``wrk`` run goes first, so that every worker process has
    loaded its code and templates and the page cache holds the page.
    """
    size = page_bytes(url, cookie=cookie)
    wrk(url, seconds=WARM_UP_SECONDS, connections=args.connections, cookie=cookie)
    return {**wrk(url, seconds=args.seconds, connections=args.connections, cookie=cookie), "bytes": size}


def wrk(url: str, *, seconds: float, connections: int, cookie: str | None = None) -> dict:
    """Requests/s, median and p99 latency, non-2xx answers and socket errors of one ``wrk`` run."""
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


def measure_bakerydemo(demo: Bakerydemo, options: dict, args) -> dict:
    """bakerydemo's blog post under one setup, anonymous (the only way it serves a page)."""
    with BakerydemoServer(demo, **options) as server:
        return measure(f"{server.url}{demo.post_path}", args)


# --- Reporting -----------------------------------------------------------------------


def print_figures(title: str, figures: dict) -> None:
    print(f"\n{title}")
    print(f"  {'page':<34} {'reader':<18} {'req/s':>8} {'p50':>9} {'p99':>9} {'bytes':>8}  bad/errors")
    for (name, reader), f in figures.items():
        print(
            f"  {name:<34} {reader:<18} {f['rps']:>8.1f} {f['p50']:>9} {f['p99']:>9} {f['bytes']:>8}"
            f"  {f['bad']} {f['errors']}"
        )


def post_ratios(figures: dict, post_name: str) -> dict[str, float]:
    """Our post page's requests/s over bakerydemo's blog post's, per reader, under one setup."""
    bakerydemo = figures[BAKERYDEMO_PAGE, "anonymous, built"]["rps"]
    return {reader: figures[post_name, reader]["rps"] / bakerydemo for reader in READERS}


def page_weights(figures: dict, post_name: str) -> dict[str, int]:
    """Bytes of our post page anonymous and signed in, and of bakerydemo's blog post."""
    return {
        "ours_anonymous": figures[post_name, "anonymous, cached"]["bytes"],
        "ours_signed_in": figures[post_name, "signed in"]["bytes"],
        "bakerydemo": figures[BAKERYDEMO_PAGE, "anonymous, built"]["bytes"],
    }


def print_summary(ratios: dict, weights: dict) -> None:
    """Every round's ratio per setup and reader, their median against the target, and page weights."""
    rounds = len(next(iter(ratios.values())))
    print("\nour post page / bakerydemo's blog post, req/s, per round:")
    header = "".join(f"{f'round {n}':>9}" for n in range(1, rounds + 1))
    print(f"  {'setup':<21} {'reader':<18}{header} {'median':>8}  target")
    for (setup, reader), values in ratios.items():
        median = statistics.median(values)
        verdict = "met" if median >= TARGETS[reader] else "not met"
        cells = "".join(f"{value:>8.2f}x" for value in values)
        print(f"  {setup:<21} {reader:<18}{cells} {median:>7.2f}x  {TARGETS[reader]}x {verdict}")
    print(
        "\npage weight, bytes uncompressed: ours anonymous {ours_anonymous:,}, signed in {ours_signed_in:,};"
        " bakerydemo {bakerydemo:,}".format(**weights)
    )


# --- The run ---------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--comments", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the post page")
    parser.add_argument(
        "--bakerydemo",
        type=Path,
        metavar="DIR",
        help=f"bakerydemo's source at commit {BAKERYDEMO_COMMIT}, measured side by side",
    )
    parser.add_argument(
        "--bakerydemo-python",
        help="Python 3.12+ for bakerydemo's virtualenv (default: python3.13, python3.12 or python3 on PATH)",
    )
    parser.add_argument(
        "--bakerydemo-scratch",
        type=Path,
        default=Path(gettempdir()) / "pairwise-bench-bakerydemo",
        help="where bakerydemo's virtualenv, database and entry points are kept between runs",
    )
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.bakerydemo:
        args.bakerydemo_python = args.bakerydemo_python or default_bakerydemo_python()
        if not (args.bakerydemo / "requirements" / "base.txt").exists():
            parser.error(f"{args.bakerydemo} is not bakerydemo's source: no requirements/base.txt")
        if not args.bakerydemo_python or not python_is_recent(args.bakerydemo_python):
            parser.error("bakerydemo needs Python 3.12 or newer: pass --bakerydemo-python")
        if PROJECT_DIR in args.bakerydemo_scratch.resolve().parents:
            parser.error("--bakerydemo-scratch must be outside the checkout")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    demo = None
    if args.bakerydemo:
        demo = prepare_bakerydemo(args.bakerydemo, args.bakerydemo_scratch, args.bakerydemo_python)
    with bench_database(args) as database_url:
        pages, cookie = prepare_our_site(database_url, args.comments)
        print_query_counts(database_url, pages)
        post_name = next(name for name in pages if name.startswith("post"))
        ratios: dict[tuple[str, str], list[float]] = {}
        for number in range(1, args.rounds + 1):
            measured = pages if number == 1 else {post_name: pages[post_name]}
            for setup, options in SETUPS.items():
                figures = measure_our_site(database_url, measured, cookie, options, args)
                if demo:
                    figures[BAKERYDEMO_PAGE, "anonymous, built"] = measure_bakerydemo(demo, options, args)
                print_figures(f"round {number}, {setup} (load average {os.getloadavg()[0]:.2f})", figures)
                if demo:
                    this_round = post_ratios(figures, post_name)
                    print("  ours / bakerydemo: " + ", ".join(f"{r} {x:.2f}x" for r, x in this_round.items()))
                    for reader, ratio in this_round.items():
                        ratios.setdefault((setup, reader), []).append(ratio)
        if demo:
            print_summary(ratios, page_weights(figures, post_name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
