"""Emptying the caches between tests without touching anyone else's keys."""

from django.core.cache import caches


def empty_caches() -> None:
    """Delete every entry of this test process's caches.

    A Redis cache deletes only the keys under its prefix (``delete_pattern``
    with ``KEY_PREFIX``, ``site/settings/test.py``): ``clear()`` would empty
    the whole Redis database, a developer's running site's keys included.
    """
    for cache in caches.all():
        delete_pattern = getattr(cache, "delete_pattern", None)
        if delete_pattern is not None:
            delete_pattern("*")
        else:
            cache.clear()
