"""Fixtures for tests that drive Debian's Chromium against a real daphne.

Fixtures (use them from any test under ``tests/browser/``, marked
``@pytest.mark.browser``):

* ``demo_database_url`` (session): a fresh SQLite database, migrated and loaded
  with the demo content; removed at the end.
* ``daphne_server`` (session): the ``DaphneProcess`` serving that database; a test
  may ``restart()`` it (the port stays the same).
* ``server_url`` (session): ``"http://127.0.0.1:<port>"`` of ``daphne_server``.
* ``daphne_factory``: starts extra ``DaphneProcess`` servers on the same database
  (``daphne_factory(env={"REDIS_URL": ...})``) and stops them after the test.
* ``browser`` (session): Chromium launched through Playwright's sync API.
* ``page``: a page in a fresh context (its own cookies), whose ``base_url`` is
  ``server_url``, so ``page.goto("/blog/")`` works.
* ``new_page``: more pages, each in its own context (two people at once).
* ``login``: ``login(page, "sam")`` signs a demo user in through the form
  (every demo account's password is ``pairwise-demo``).

A failed browser test shows the end of each server's log (a 500's traceback).

Browser tests need no database of their own: they never request ``db`` (nor
pytest-django's ``live_server``), and they reach the data only through the
server. To set something up first, run a command against the server's
database with ``tests.live_server.manage("shell", "-c", "...",
database_url=demo_database_url)``. The ORM cannot be used in-process once
Chromium runs (see below).

Playwright's sync API runs its own event loop in this thread and leaves it
marked as running between calls, which would break every asyncio test that ran
after it. So the browser tests run last (see ``pytest_collection_modifyitems``)
and Chromium is only started when the first of them needs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import VIEWPORT, launch_chromium, sign_in
from tests.conftest import skip_or_fail
from tests.live_server import DaphneProcess, demo_database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests after every other test (see the module docstring)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Show the end of the server's log under a failed browser test (a 500's traceback)."""
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, DaphneProcess):
                report.sections.append((f"daphne on {value.url} ({value.log_path})", value.log_tail()))
    return report


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        skip_or_fail(
            "NO CHROMIUM: browser tests need Debian's chromium on PATH "
            "(`apt-get install chromium`, or `make browser` as root)"
        )
    return path


@pytest.fixture(scope="session")
def demo_database_url() -> Iterator[str]:
    with demo_database() as database_url:
        yield database_url


@pytest.fixture(scope="session")
def server_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where daphne writes its output (pytest keeps the last few runs' folders)."""
    return tmp_path_factory.mktemp("daphne")


@pytest.fixture(scope="session")
def daphne_server(demo_database_url: str, server_log_dir: Path) -> Iterator[DaphneProcess]:
    server = DaphneProcess(demo_database_url, log_dir=server_log_dir)
    try:
        yield server.start()
    finally:
        server.stop(graceful=False)  # its database is thrown away next


@pytest.fixture(scope="session")
def server_url(daphne_server: DaphneProcess) -> str:
    return daphne_server.url


@pytest.fixture
def daphne_factory(demo_database_url: str, server_log_dir: Path) -> Iterator[Callable[..., DaphneProcess]]:
    servers: list[DaphneProcess] = []

    def start(**kwargs) -> DaphneProcess:
        kwargs.setdefault("database_url", demo_database_url)
        kwargs.setdefault("log_dir", server_log_dir)
        server = DaphneProcess(kwargs.pop("database_url"), **kwargs)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop(graceful=False)


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = launch_chromium(playwright, chromium_path)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, daphne_server: DaphneProcess, server_url: str):
    """Open pages in fresh contexts (separate cookies: separate people)."""
    if not daphne_server.running:  # an earlier test stopped it and failed before starting it again
        daphne_server.start()
    contexts = []

    def open_page(**context_options):
        context_options.setdefault("base_url", server_url)
        context_options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, "sam")``: sign a demo user in (password ``pairwise-demo``)."""
    return sign_in
