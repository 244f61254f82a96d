from tests.page_cache import page_cache_off  # noqa: F401
