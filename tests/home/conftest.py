from tests.page_cache import empty_cache, page_cache_off  # noqa: F401
