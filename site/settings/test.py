"""Test settings: the dev defaults with fast hashing and throwaway media."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

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
# Redis, each has its own Redis database too (the next numbers after
# REDIS_URL's), so that one process emptying its cache leaves the other's alone.
_test_process = os.environ.get("PYTEST_XDIST_WORKER", "")
if _test_process.startswith("gw") and REDIS_URL:  # noqa: F405
    _url = urlsplit(REDIS_URL)  # noqa: F405
    _number = int(_url.path.strip("/") or 0) + 1 + int(_test_process[2:])
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_number}"))
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
    # Published messages reach every database's subscribers: a prefix of its own too.
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [REDIS_URL]  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-{_test_process}"  # noqa: F405
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
