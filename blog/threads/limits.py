"""Rate limits and throttles, kept in the cache so every process shares them.

With ``REDIS_URL`` set the cache is Redis, so a person who opens two tabs on
two daphne processes still gets one allowance. When the cache cannot be
reached, comments are let through (the database, not Redis, decides whether a
comment is saved) and typing notices are dropped; both are logged.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

TYPING_INTERVAL_SECONDS = 3


def comment_rate_check(*, user_id: int) -> int | None:
    """Count one comment for ``user_id``; the seconds to wait when over the limit.

    A fixed window of ``COMMENT_RATE_WINDOW`` seconds allows
    ``COMMENT_RATE_LIMIT`` comments.
    """
    return _window_check(
        "comment-rate",
        user_id=user_id,
        limit=settings.COMMENT_RATE_LIMIT,
        window=settings.COMMENT_RATE_WINDOW,
    )


def flag_rate_check(*, user_id: int) -> int | None:
    """Count one flag for ``user_id``: ``COMMENT_FLAG_RATE_LIMIT`` in ``COMMENT_FLAG_RATE_WINDOW`` seconds."""
    return _window_check(
        "flag-rate",
        user_id=user_id,
        limit=settings.COMMENT_FLAG_RATE_LIMIT,
        window=settings.COMMENT_FLAG_RATE_WINDOW,
    )


def _window_check(name: str, *, user_id: int, limit: int, window: int) -> int | None:
    """Count one for ``user_id`` in a fixed window; the seconds to wait when over ``limit``.

    ``cache.add`` and ``cache.incr`` are atomic in both the local-memory and
    the Redis cache.
    """
    window = max(1, window)
    now = time.time()
    window_index = int(now // window)
    key = f"threads:{name}:{user_id}:{window_index}"
    try:
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    except Exception:  # the cache backend's own errors (Redis down) have no common base class
        count = None
    if count is None:  # raised, or swallowed by a backend that ignores outages (django-redis)
        logger.warning("%s limit not applied: the cache is unavailable", name)
        return None
    if count > limit:
        return max(1, math.ceil((window_index + 1) * window - now))
    return None


def typing_allowed(*, page_id: int, user_id: int) -> bool:
    """At most one typing notice per person per thread every few seconds."""
    try:
        return cache.add(f"threads:typing:{page_id}:{user_id}", 1, timeout=TYPING_INTERVAL_SECONDS)
    except Exception:
        logger.warning("typing notice dropped: the cache is unavailable", exc_info=True)
        return False
