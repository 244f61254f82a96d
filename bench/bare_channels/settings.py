"""Just enough Django for Channels and one trivial view: no database, no sessions, no auth."""

import os

SECRET_KEY = "bench-bare-channels-not-secret"  # noqa: S105 - a loopback benchmark only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels"]
DATABASES: dict = {}
ASGI_APPLICATION = "bench.bare_channels.asgi.application"
ROOT_URLCONF = "bench.bare_channels.asgi"
MIDDLEWARE: list = []
USE_TZ = True

# The same layer configuration as site/settings/base.py, so only the app differs.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
