"""The demo's settings with channels-redis's own pub/sub layer in place of ``site.layers``' (bench/outage.py).

Same configuration; only the class changes, so a Redis outage does what it
does without the recovering layer.
"""

from site.settings.dev import *  # noqa: F403
from site.settings.dev import CHANNEL_LAYERS

CHANNEL_LAYERS = {
    "default": {**CHANNEL_LAYERS["default"], "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer"}
}
