"""The demo's settings with channels-redis's own layer in place of ``site.layers``' (bench/outage.py).

Same layer kind (``REDIS_CHANNEL_LAYER``) and configuration; only the class
changes, so a Redis outage does what it does without the recovering layers.
"""

from site.settings.dev import *  # noqa: F403
from site.settings.dev import CHANNEL_LAYERS

PLAIN_LAYERS = {
    "site.layers.RecoveringRedisPubSubChannelLayer": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "site.layers.RecoveringRedisChannelLayer": "channels_redis.core.RedisChannelLayer",
}

CHANNEL_LAYERS = {
    "default": {**CHANNEL_LAYERS["default"], "BACKEND": PLAIN_LAYERS[CHANNEL_LAYERS["default"]["BACKEND"]]}
}
