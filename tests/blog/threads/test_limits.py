"""Rate limits when the shared cache (Redis in production) cannot be reached."""

import pytest

from blog.threads.limits import comment_rate_check, typing_allowed

# Nothing listens on port 1: every cache call fails at once with a connection error.
UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = UNREACHABLE_REDIS


def test_comments_are_let_through_when_the_cache_is_down(cache_down, settings):
    settings.COMMENT_RATE_LIMIT = 1
    assert [comment_rate_check(user_id=1) for _ in range(3)] == [None, None, None]


def test_typing_notices_are_dropped_when_the_cache_is_down(cache_down):
    assert typing_allowed(page_id=1, user_id=1) is False


def test_the_limit_still_applies_when_the_cache_is_up(settings, rate_clock_held):
    settings.COMMENT_RATE_LIMIT = 1
    assert comment_rate_check(user_id=99) is None
    assert comment_rate_check(user_id=99) >= 1
