"""Test settings: the dev defaults with fast hashing and throwaway media."""

import os
import tempfile

from .dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="pairwise-test-media-")
WHITENOISE_AUTOREFRESH = False
# Tests exercise the limit with their own numbers.
COMMENT_RATE_LIMIT = 5
COMMENT_RATE_WINDOW = 10
# And the e-mail delay with theirs (``make run`` shortens it for the demo).
EMAIL_NOTIFICATION_DELAY = 600
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
# Tasks run as they are enqueued (on commit), whatever TASKS_BACKEND says; the
# worker tests start real workers on the database or on Redis themselves.
TASKS = {
    "default": {"BACKEND": "site.tasks.ImmediateBackend"},
    "immediate": {"BACKEND": "site.tasks.ImmediateBackend"},
}

# Tests keep their own keys in Redis, apart from a site sharing it: each test
# process (pytest-xdist runs two side by side) its own cache prefix and
# channel-layer prefix; ``tests.caches.empty_caches`` deletes only those keys.
_test_process = os.environ.get("PYTEST_XDIST_WORKER", "main")
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] += f"-test-{_test_process}"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-test-{_test_process}"  # noqa: F405
