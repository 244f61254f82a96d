"""channels-redis layers whose consumers outlive a Redis outage, and hear when it ends.

Both hand every consumer of the process one ``layer.recovered`` message once
Redis answers again after an outage: its socket may have missed broadcasts
(and, with the core layer, lost its group memberships, as Redis keeps nothing
on restart), so the consumer closes it and the client reconnects and syncs
(``docs/threads-protocol.md``, close code 4012). Meanwhile sockets stay open
and keep answering their own requests: writes go to the database, and their
acknowledgements to the sender's own socket.

* The core layer raises a broken connection into whichever consumer waits on
  ``receive``; Channels would end that consumer and daphne close its socket
  with 1011, every socket of the process in turn. Here ``receive`` waits
  instead, retrying with backoff.
* The pub/sub layer (one publish per group message, fanned out inside each
  process: the faster one, ``bench/README.md``) reconnects and resubscribes
  by itself and never tells anyone; what was published meanwhile is lost
  without a trace. A watchdog per process pings Redis to notice.
"""

import asyncio
import logging

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import decode_hosts
from redis import asyncio as aioredis

from blog.threads.frames import LAYER_ERRORS

logger = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0
WATCH_SECONDS = 0.5
RECOVERED = {"type": "layer.recovered"}


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
                return dict(RECOVERED)


class RecoveringRedisPubSubChannelLayer(RedisPubSubChannelLayer):
    """The pub/sub layer, with a watchdog per event loop that notices outages.

    An outage is noticed when a ping fails, when Redis answers with another
    ``run_id`` (it restarted between two pings, and forgot every
    subscription), or when a send fails: a blip shorter than the ping
    interval still loses the messages published during it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses = [host["address"] for host in decode_hosts(kwargs.get("hosts"))]
        self._watchdogs: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        self._outage: set[asyncio.AbstractEventLoop] = set()

    async def receive(self, channel: str) -> dict:
        loop = asyncio.get_running_loop()
        watchdog = self._watchdogs.get(loop)
        if watchdog is None or watchdog.done():
            self._watchdogs[loop] = loop.create_task(self._watch(self._get_layer(), loop))
        return await self._get_layer().receive(channel)

    async def new_channel(self, prefix: str = "specific.") -> str:
        return await self._noticing(self._get_layer().new_channel(prefix))

    async def group_add(self, group: str, channel: str) -> None:
        await self._noticing(self._get_layer().group_add(group, channel))

    async def group_send(self, group: str, message: dict) -> None:
        await self._noticing(self._get_layer().group_send(group, message))

    async def _noticing(self, operation):
        try:
            return await operation
        except LAYER_ERRORS as error:
            loop = asyncio.get_running_loop()
            if loop not in self._outage:
                logger.warning("channel layer unreachable (%s); sockets wait for it", error)
            self._outage.add(loop)
            raise

    async def _watch(self, layer, loop: asyncio.AbstractEventLoop) -> None:
        """Ping Redis while this loop has consumers; after an outage, tell each of them."""
        clients = [
            aioredis.Redis.from_url(address, socket_connect_timeout=1, socket_timeout=1)
            for address in self._addresses
        ]
        run_ids: list[str | None] = [None] * len(clients)
        try:
            while layer.channels:
                await asyncio.sleep(WATCH_SECONDS)
                try:
                    for index, client in enumerate(clients):
                        run_id = (await client.info("server"))["run_id"]
                        if run_ids[index] not in (None, run_id):
                            self._outage.add(loop)
                        run_ids[index] = run_id
                except LAYER_ERRORS as error:
                    if loop not in self._outage:
                        logger.warning("channel layer unreachable (%s); sockets wait for it", error)
                    self._outage.add(loop)
                    continue
                if loop in self._outage:
                    self._outage.discard(loop)
                    logger.info("channel layer reachable again; %d sockets reconnect", len(layer.channels))
                    message = self.serialize(RECOVERED)
                    for queue in list(layer.channels.values()):
                        queue.put_nowait(message)
        finally:
            for client in clients:
                await client.aclose()


class OutageWithoutTraceback(logging.Filter):
    """Logs channels-redis's "lost Redis" errors as one line, not a traceback a second."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, LAYER_ERRORS):
            record.msg = f"{record.getMessage()}: {error}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
