"""Fault and abuse tests: real daphne processes, real sockets, the demo content.

They are marked ``faults`` and ``e2e``. Each module gets one server on a fresh
copy of the demo database (``tests.live_server``); tests that need Redis or
PostgreSQL use the ``requires_redis`` / ``requires_postgres`` fixtures, which
skip on a developer's machine and fail in CI. Servers on PostgreSQL share one
demo database for the whole run (``postgres_demo_database_url``), made on the
server that ``DATABASE_URL`` names and dropped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings

import pytest

from tests.conftest import skip_or_fail_service
from tests.live_server import (
    DaphneProcess,
    create_postgres_database,
    demo_database,
    drop_postgres_database,
    prepare_demo_database,
)


@pytest.fixture(scope="module")
def fault_database_url() -> Iterator[str]:
    with demo_database() as database_url:
        yield database_url


@pytest.fixture(scope="module")
def fault_server(fault_database_url: str) -> Iterator[DaphneProcess]:
    server = DaphneProcess(fault_database_url, env={"REDIS_URL": None})
    try:
        yield server.start()
    finally:
        server.stop(graceful=False)


@pytest.fixture(scope="session")
def postgres_demo_database_url() -> Iterator[str]:
    """A demo database of its own on the run's PostgreSQL server, migrated once per run.

    Servers started on it by different modules share it: each test writes to
    a thread of its own (``tests.live_server.thread_posts``).
    """
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail_service("needs PostgreSQL: set DATABASE_URL=postgres://... to run this test")
    database_url = create_postgres_database(settings.DATABASE_URL, prefix="pairwise_faults")
    try:
        prepare_demo_database(database_url)
        yield database_url
    finally:
        drop_postgres_database(database_url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The run's Redis, for servers that must share a channel layer."""
    if not settings.REDIS_URL:
        skip_or_fail_service("needs Redis: set REDIS_URL=redis://... to run this test")
    return settings.REDIS_URL
