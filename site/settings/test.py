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

# `make test` runs the tests that need no server process in two processes
# side by side (pytest-xdist). Each has its own test database already; with
# Redis, each keeps its own cache keys and channel-layer groups too.
_test_process = os.environ.get("PYTEST_XDIST_WORKER")
if _test_process:
    if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405
        CACHES["default"]["KEY_PREFIX"] += f"-{_test_process}"  # noqa: F405
    _layer_config = CHANNEL_LAYERS["default"].get("CONFIG", {})  # noqa: F405
    if "prefix" in _layer_config:
        _layer_config["prefix"] += f"-{_test_process}"
