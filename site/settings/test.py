"""Test settings: the dev defaults with fast hashing and throwaway media."""

import os
import tempfile

# Each pytest-xdist worker keeps its own keys and channels in a shared Redis;
# set in the environment so that the servers the tests start use it too.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ.setdefault("REDIS_KEY_PREFIX", f"pairwise-test-{os.environ['PYTEST_XDIST_WORKER']}")

from .dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="pairwise-test-media-")
WHITENOISE_AUTOREFRESH = False
# Tests exercise the limit with their own numbers.
COMMENT_RATE_LIMIT = 5
COMMENT_RATE_WINDOW = 10
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
