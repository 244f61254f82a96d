"""Fixtures for tests that request anonymous pages, which site/page_cache.py caches.

A conftest (or test module) imports what it needs from here.
"""

import pytest

from tests.caches import empty_caches

PAGE_CACHE_MIDDLEWARE = "site.page_cache.AnonymousPageCacheMiddleware"


@pytest.fixture(autouse=True)
def empty_cache():
    """Start and end every test with an empty cache.

    A test's writes never commit, so the purges they would trigger never run:
    without this a page cached by one test could be served to the next.
    """
    empty_caches()
    yield
    empty_caches()


@pytest.fixture
def page_cache_off(settings):
    """Build every anonymous page, to count what building it costs."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != PAGE_CACHE_MIDDLEWARE]
