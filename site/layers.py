"""The site's channel layers: Channels' in-memory one, sweeping less often, and
channels-redis's pub/sub layer, whose consumers hear when a Redis outage ends.

Channels' in-memory layer (one process, ``make run``) sweeps every queue and
group for expired entries on every ``receive`` and ``group_send``: a thread
with N readers costs N² steps per broadcast, and every presence notice during
a burst of handshakes paid it (``bench/burst.py``). ``InMemoryChannelLayer``
sweeps at most once a second; messages expire after a minute and group
memberships after a day, so a second later changes nothing anyone sees.

The pub/sub layer (one publish per group message, fanned out inside each
process: the faster of channels-redis's two, ``bench/README.md``) reconnects
and resubscribes by itself and never tells anyone; what was published
meanwhile is lost without a trace. A watchdog per process pings Redis to
notice, and once Redis answers again every consumer of the process gets one
``layer.recovered`` message: its socket may have missed broadcasts, so the
consumer closes it and the client reconnects and syncs
(``docs/threads-protocol.md``, close code 4012). Meanwhile sockets stay open
and keep answering their own requests: writes go to the database, and their
acknowledgements to the sender's own socket.
"""

import asyncio
import logging
import time
import uuid

from channels import layers
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import decode_hosts
from redis import asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a channel layer raises when its broker is unreachable: socket errors,
# and redis-py's own errors, which are not ``OSError``s.
LAYER_ERRORS: tuple[type[BaseException], ...] = (OSError, RedisConnectionError, RedisTimeoutError)

WATCH_SECONDS = 0.5
RECOVERED = {"type": "layer.recovered"}


class InMemoryChannelLayer(layers.InMemoryChannelLayer):
    """Channels' in-memory layer, sweeping expired messages and groups at most every ``SWEEP_SECONDS``."""

    SWEEP_SECONDS = 1.0
    _swept_at = -SWEEP_SECONDS

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_SECONDS:
            self._swept_at = now
            super()._clean_expired()


class RecoveringRedisPubSubChannelLayer(RedisPubSubChannelLayer):
    """The pub/sub layer, with a watchdog per event loop that notices outages.

    An outage is noticed when a ping fails, when Redis answers with another
    ``run_id`` (it restarted between two pings, and forgot every
    subscription), or when a send fails: a blip shorter than the ping
    interval still loses the messages published during it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._hosts = decode_hosts(kwargs.get("hosts"))
        self._watchdogs: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        self._outage: set[asyncio.AbstractEventLoop] = set()

    async def receive(self, channel: str) -> dict:
        loop = asyncio.get_running_loop()
        watchdog = self._watchdogs.get(loop)
        if watchdog is None or watchdog.done():
            self._watchdogs[loop] = loop.create_task(self._watch(self._get_layer(), loop))
        return await self._get_layer().receive(channel)

    async def new_channel(self, prefix: str = "specific.") -> str:
        layer = self._get_layer()
        channel = f"{layer.prefix}{prefix}{uuid.uuid4().hex}"
        try:
            # What the layer's own new_channel does, but a failed subscribe
            # must not leave the channel's queue behind.
            await self._noticing(layer._subscribe_to_channel(channel))
        except LAYER_ERRORS:
            layer.channels.pop(channel, None)
            raise
        return channel

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
            aioredis.Redis.from_url(host["address"], socket_connect_timeout=1, socket_timeout=1)
            for host in self._hosts
        ]
        run_ids: list[str | None] = [None] * len(clients)
        try:
            while layer.channels:
                await asyncio.sleep(WATCH_SECONDS)
                try:
                    for index, client in enumerate(clients):
                        run_id = await _run_id(client)
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


async def _run_id(client) -> str | None:
    """The server's ``run_id`` (new after a restart), or None where INFO is not allowed."""
    try:
        return (await client.info("server")).get("run_id")
    except LAYER_ERRORS:
        raise
    except RedisError:  # e.g. INFO refused by an ACL: a ping still tells up from down
        await client.ping()
        return None


class OutageWithoutTraceback(logging.Filter):
    """channels-redis logs a lost connection with a traceback every second: one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("channels_redis") and isinstance(
            error, (RedisConnectionError, RedisTimeoutError)
        ):
            record.msg = f"{record.getMessage()}: {error}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
