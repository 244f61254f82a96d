"""Group names and frames: encoded once, delivered by the channel layer.

A frame is JSON text. Broadcasts carry the text itself so a consumer forwards
it without encoding it again for every subscriber. A comment looks different
to its author (who gets ``client_id``) and, while hidden, to editors (who see
the body), so comment events carry up to three texts and each consumer picks.
"""

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a channel layer raises when its broker is unreachable: socket errors,
# and redis-py's own errors, which are not ``OSError``s.
LAYER_ERRORS: tuple[type[BaseException], ...] = (OSError, RedisConnectionError, RedisTimeoutError)


def thread_group(page_id: int) -> str:
    return f"thread.{page_id}"


def notifications_group(user_id: int) -> str:
    return f"notifications.{user_id}"


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def group_send(group: str, event: dict[str, Any]) -> None:
    """Deliver ``event`` from synchronous code (services, after commit).

    Delivery is best effort: the comment is already saved, and a client that
    misses the push catches up with ``sync``.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except LAYER_ERRORS as error:  # the broker is down: clients catch up when it is back
        logger.warning("could not broadcast %s to %s: %s", event.get("type"), group, error)
    except Exception:  # nor must any other failure turn a saved write into an error
        logger.exception("could not broadcast %s to %s", event.get("type"), group)
