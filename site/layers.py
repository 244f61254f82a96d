"""A channels-redis layer whose consumers outlive a Redis outage.

channels-redis raises a broken connection into whichever consumer is waiting
on ``receive``; Channels then ends that consumer and daphne closes its socket
with 1011. Every socket of the process would go, in the middle of answering
comments that the database has already saved.

Here ``receive`` waits instead, retrying with backoff, so the socket stays
open and keeps answering its own requests (writes go to the database, and
their acknowledgements to the sender's own socket). Once Redis answers again,
``receive`` hands the consumer one ``layer.recovered`` message: the socket
may have missed broadcasts and lost its group memberships (Redis keeps
nothing on restart), so the consumer closes it and the client reconnects and
syncs (``docs/threads-protocol.md``, close code 4012).
"""

import asyncio
import logging

from channels_redis.core import RedisChannelLayer

from blog.threads.frames import LAYER_ERRORS

logger = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0


class RecoveringRedisChannelLayer(RedisChannelLayer):
    async def receive(self, channel: str) -> dict:
        delay = None
        while True:
            try:
                if delay is None:
                    return await super().receive(channel)
                await self.connection(self.consistent_hash(self.non_local_name(channel))).ping()
            except LAYER_ERRORS as error:
                if delay is None:
                    logger.warning("channel layer unreachable (%s); %s waits for it", error, channel)
                    delay = RETRY_FIRST_SECONDS
                else:
                    delay = min(delay * 2, RETRY_MAX_SECONDS)
                await asyncio.sleep(delay)
            else:
                logger.info("channel layer reachable again; %s reconnects", channel)
                return {"type": "layer.recovered"}
