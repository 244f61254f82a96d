"""Fault and abuse tests: real daphne processes, real sockets, the demo content.

They are marked ``faults`` and ``e2e``. Each module gets one server on a fresh
copy of the demo database (``tests.live_server``); tests that need Redis or
PostgreSQL use the ``requires_redis`` / ``requires_postgres`` fixtures, which
skip on a developer's machine and fail in CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_server import (
    DaphneProcess,
    prepare_demo_database,
    remove_sqlite_database,
    temporary_database_url,
)


@pytest.fixture(scope="module")
def fault_database_url() -> Iterator[str]:
    database_url = temporary_database_url()
    try:
        prepare_demo_database(database_url)
        yield database_url
    finally:
        remove_sqlite_database(database_url)


@pytest.fixture(scope="module")
def fault_server(fault_database_url: str) -> Iterator[DaphneProcess]:
    server = DaphneProcess(fault_database_url, env={"REDIS_URL": None})
    try:
        yield server.start()
    finally:
        server.stop(graceful=False)
