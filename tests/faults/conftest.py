"""Fault and abuse tests: real daphne processes, real sockets, the demo content.

They are marked ``faults`` and ``e2e``. Each module gets one server on a fresh
copy of the demo database (``tests.live_server``); tests that need Redis or
PostgreSQL use the ``requires_redis`` / ``requires_postgres`` fixtures, which
skip on a developer's machine and fail in CI.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.live_server import (
    DEMO_PASSWORD,
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


def signed_in_cookie(base_url: str, username: str) -> str:
    """Sign in through the login form; the Cookie header a browser would send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base_url}/accounts/login/")
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    opener.open(
        urllib.request.Request(f"{base_url}/accounts/login/", data=form, headers={"Referer": base_url})  # noqa: S310
    )
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "sign-in failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def first_post(base_url: str) -> tuple[str, int]:
    """The path and thread id of the first post on the blog index."""
    index = urllib.request.urlopen(f"{base_url}/blog/").read().decode()  # noqa: S310 - our own server
    path = re.search(r'<article[^>]*>.*?<a href="(/blog/[^"]+/)"', index, flags=re.DOTALL).group(1)
    html = urllib.request.urlopen(f"{base_url}{path}").read().decode()  # noqa: S310
    return path, int(re.search(r'data-thread="(\d+)"', html).group(1))
