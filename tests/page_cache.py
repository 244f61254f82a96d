"""Fixtures for tests that request anonymous pages, which site/page_cache.py caches.

A conftest (or test module) imports what it needs from here. Every test starts
with empty caches (``tests/conftest.py``): a test's writes never commit, so the
purges they would trigger never run, and a page cached by one test must not
be served to the next.
"""

import pytest

PAGE_CACHE_MIDDLEWARE = "site.page_cache.AnonymousPageCacheMiddleware"


@pytest.fixture
def page_cache_off(settings):
    """Build every anonymous page, to count what building it costs."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != PAGE_CACHE_MIDDLEWARE]
