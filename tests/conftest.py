"""Shared fixtures: the site skeleton, people, and real services.

PostgreSQL, Redis and Chromium tests skip with a loud reason when the service
is missing on a developer's machine, and fail instead under ``CI=true``.
"""

import os
import types

from django.conf import settings

import pytest

from blog.factories import BlogPostPageFactory, MentorPairFactory, UserFactory
from blog.permissions import EDITORS, PAIR_MEMBERS
from tests.caches import empty_caches

IN_CI = os.environ.get("CI", "").lower() == "true"
# .ci/run runs the suite twice: on the embedded defaults (SQLite, in-memory
# layer), then on PostgreSQL and Redis. The first pass leaves the tests that
# need those services to the second, which must run every one of them.
EMBEDDED_PASS = os.environ.get("PAIRWISE_CI_PASS") == "embedded"


def skip_or_fail(reason: str) -> None:
    """Skip locally when a real service is missing; in CI that is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


def skip_or_fail_service(reason: str) -> None:
    """Like ``skip_or_fail``, for PostgreSQL and Redis, which CI's second pass provides."""
    if EMBEDDED_PASS:
        pytest.skip(f"{reason} (runs in the PostgreSQL + Redis pass)")
    skip_or_fail(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database, with the database thread's connection closed before the drop.

    Sync code called from async tests runs on asgiref's one shared thread,
    whose connection is never closed by Django's teardown (which closes the
    main thread's); on PostgreSQL that open session makes ``DROP DATABASE``
    fail.
    """
    yield
    from django.db import connections

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture(autouse=True)
def _fresh_channel_layers():
    """A new channel layer for every test.

    Each async test runs in its own event loop, and a channels-redis layer's
    connections and locks belong to the loop that first used them; reusing
    one across tests fails with "bound to a different event loop".
    """
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _empty_caches():
    """Every test starts and ends with empty caches.

    Redis outlives a test, a test process and a whole run: an entry left by
    one test (a built page, a rate count, a topic list) would spare the next
    test queries, or refuse it a request, depending on which ran before. It
    is emptied after the test too, for what runs before the next test's
    fixtures: a test class's ``setUpClass`` (the demo's load) reads the cache.
    """
    empty_caches()
    yield
    empty_caches()


@pytest.fixture(autouse=True)
def _fresh_presence_summaries():
    """No thread's presence summary outlives its test.

    The summary a handshake reads (``presence._recent``) is kept per page id
    in this process for up to two seconds, and page ids repeat from one test
    to the next: one test's crowd must not be the next test's snapshot, nor
    a query count depend on how fast the machine ran the test before.
    """
    from blog.threads import presence

    presence._recent.clear()
    yield
    presence._recent.clear()


@pytest.fixture
def rate_clock_held(monkeypatch):
    """The comment rate limit's clock held still in the middle of a window.

    The limit counts in fixed windows of ``COMMENT_RATE_WINDOW`` seconds; on a
    slow machine a test's few requests can straddle a window's edge and be
    counted in two windows, passing a limit they should meet.
    """
    from blog.threads import limits

    window = max(1, settings.COMMENT_RATE_WINDOW)
    now = (limits.time.time() // window) * window + window / 2
    monkeypatch.setattr(limits, "time", types.SimpleNamespace(time=lambda: now))
    empty_caches()  # counts left by an earlier test in this same window
    return now


@pytest.fixture
def home(db):
    from home.services import site_bootstrap

    return site_bootstrap()


@pytest.fixture
def blog_index(home):
    from blog.models import BlogIndexPage

    return BlogIndexPage.objects.child_of(home).get()


def _in_group(user, name):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def editor(db):
    return _in_group(UserFactory(username="editor"), EDITORS)


@pytest.fixture
def pair(db):
    pair = MentorPairFactory(
        first_member=UserFactory(username="amira", first_name="Amira", last_name="Haddad"),
        second_member=UserFactory(username="ben", first_name="Ben", last_name="Okafor"),
        name="Amira & Ben",
        slug="amira-and-ben",
    )
    _in_group(pair.first_member, PAIR_MEMBERS)
    _in_group(pair.second_member, PAIR_MEMBERS)
    return pair


@pytest.fixture
def other_pair(db):
    pair = MentorPairFactory(name="Chloé & David", slug="chloe-and-david")
    _in_group(pair.first_member, PAIR_MEMBERS)
    _in_group(pair.second_member, PAIR_MEMBERS)
    return pair


@pytest.fixture
def staff(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Kowalski")


@pytest.fixture
def make_post(blog_index, pair):
    """Create a published post under the blog index."""

    def make(**kwargs):
        kwargs.setdefault("pair", pair)
        return BlogPostPageFactory(parent=blog_index, **kwargs)

    return make


@pytest.fixture
def requires_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail_service("needs PostgreSQL: set DATABASE_URL=postgres://... to run this test")


@pytest.fixture
def requires_redis():
    if not settings.REDIS_URL:
        skip_or_fail_service("needs Redis: set REDIS_URL=redis://... to run this test")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``transactional`` every test on a transactional database (``django_db(transaction=True)``).

    Such a test empties the database when it ends and puts the migrated data
    back only when the next one starts, so Django runs them after all the
    others. ``make test`` runs the rest in parallel processes, then these, in
    parallel too (each starts from the data put back).
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            item.add_marker(pytest.mark.transactional)
