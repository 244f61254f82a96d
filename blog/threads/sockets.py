"""What the thread and notification consumers share: dispatch, close codes, and access changes.

When who may see what changes for named people (a sign-out, a group joined
or left: ``site.visibility.access_changed``), each of their sockets is told
through its person's group, ``person.<id>``, and checks again at once. A
change for anyone (a page restricted, unpublished, moved or deleted) moves the
privacy epoch instead, which every thread broadcast carries: a socket checks
again at its next frame, so nothing is asked of the database per frame.
"""

import contextlib
import hashlib

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from blog.threads import frames
from blog.threads.errors import ThreadError
from site.inputs import InvalidInput, parse_id
from site.visibility import access_changed

MAX_FRAME_BYTES = 64 * 1024
# The application's own range: daphne (autobahn) refuses to send any close code
# but 1000 and 3000-4999, and answers 1011 instead. 4003/4009 mirror RFC 6455's
# 1003 (unsupported data) and 1009 (message too big).
CLOSE_UNSUPPORTED_DATA = 4003
CLOSE_MESSAGE_TOO_BIG = 4009
# "Reconnect and sync": the server lost what it needs to keep this socket
# current (the channel layer was down), though the client did nothing wrong.
CLOSE_RECONNECT = 4012
# "Busy, try again later" (RFC 6455's 1013): too many handshakes arrived at
# once to answer this one in time. Reconnect after a jittered backoff.
CLOSE_BUSY = 4013
# "Access ended": the person may no longer read this thread (or, on the
# notification socket, is signed out). Mirrors HTTP 403; do not reconnect.
CLOSE_ACCESS_ENDED = 4403
# Closes that need no log line: the client left, or the server closed on purpose.
EXPECTED_CLOSES = {
    1000,
    1001,
    CLOSE_UNSUPPORTED_DATA,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_RECONNECT,
    CLOSE_BUSY,
    CLOSE_ACCESS_ENDED,
}
PERSON_CHANGED = {"type": "person.changed"}


class SocketConsumer(AsyncWebsocketConsumer):
    """The consumers' base: direct dispatch, and no traceback for a socket that closed meanwhile.

    Channels' ``AsyncConsumer.dispatch`` awaits ``aclose_old_connections()``
    before every handler: a hop to the one thread that runs
    ``database_sync_to_async`` work, for every message to every socket. With
    200 readers and 20 comments/s that is 4,000 hops/s queued in front of the
    writes themselves (``bench/fanout.py``). Every database call of these
    consumers goes through ``blog.threads.trips.database_trip``, which closes stale
    connections on its own, so here handlers are called directly.

    A broadcast can reach a consumer after its client began to close (or
    after the consumer closed it): daphne's protocol then refuses the send
    with autobahn's ``Disconnected``. Nothing is lost that ``sync`` would not
    fetch again, so the send is dropped quietly.
    """

    socket_closed = False

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        if self.socket_closed:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:
            self.socket_closed = True

    async def close(self, code=None, reason=None) -> None:
        if self.socket_closed:
            return
        self.socket_closed = True
        with contextlib.suppress(Disconnected):
            await super().close(code=code, reason=reason)

    async def websocket_disconnect(self, message: dict) -> None:
        self.socket_closed = True
        await super().websocket_disconnect(message)


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def message_id(value: object, name: str) -> int:
    """An id field of a client message: a JSON integer in range."""
    if not isinstance(value, int):
        raise ThreadError("invalid", f"{name} must be a whole number.")
    try:
        return parse_id(value, name=name)
    except InvalidInput as error:
        raise ThreadError("invalid", str(error)) from error


def session_digest(session_key: str | None) -> str | None:
    """A session key as named in ``person.changed`` events: never the key itself."""
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else None


def _tell_their_sockets(sender, user_ids=None, ended_session=None, **kwargs) -> None:
    event = {**PERSON_CHANGED, "ended_session": session_digest(ended_session)}
    for user_id in user_ids or ():
        frames.group_send(person_group(user_id), dict(event))


def connect_access_receivers() -> None:
    """``BlogConfig.ready``: named people's sockets hear when their access changed."""
    access_changed.connect(_tell_their_sockets, dispatch_uid="threads.access_changed")
