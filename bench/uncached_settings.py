"""The demo's settings without the anonymous page cache, to measure building each page (bench/pages.py)."""

from site.settings.dev import *  # noqa: F403
from site.settings.dev import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "site.page_cache.AnonymousPageCacheMiddleware"]
