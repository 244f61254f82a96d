"""WebSocket consumers for live threads and personal notifications.

``ThreadConsumer`` is thin, in three parts: socket events (connect, receive,
disconnect), commands (one method per client message ``type``), and
channel-layer handlers (``thread.comment`` is handled by ``thread_comment``).
It authenticates, authorises and validates, calls one service, and turns a
``ThreadError`` into an error frame. It guarantees:

* the handshake is refused unless the page exists, is live, carries a thread
  and the person may view it (Origin is checked by ``site.asgi``);
* permissions are checked on every message with the session read afresh, so
  signing out elsewhere stops an open socket from posting;
* errors never close the socket, except for an unreadable frame (binary, or
  over ``MAX_FRAME_BYTES``);
* the connection joins the thread's group before reading the snapshot, so a
  comment committed in between arrives as ``comment.created`` (clients drop
  ids they already have);
* a channel-layer outage closes no socket while it lasts; once it is over
  every socket is closed with 4012 so its client resyncs (``site.layers``).
"""

import contextlib
import json
import logging

from django.db import DatabaseError

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from blog.models import display_name
from blog.permissions import is_editor
from blog.threads import frames, presence, services
from blog.threads.access import scope_session_key, session_user, thread_access
from blog.threads.errors import ThreadError
from blog.threads.limits import typing_allowed
from blog.threads.selectors import (
    Viewer,
    comment_data,
    reactions_of,
    thread_after,
    thread_before,
    thread_snapshot,
)
from site.layers import LAYER_ERRORS

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
# The application's own range: daphne (autobahn) refuses to send any close code
# but 1000 and 3000-4999, and answers 1011 instead. 4003/4009 mirror RFC 6455's
# 1003 (unsupported data) and 1009 (message too big).
CLOSE_UNSUPPORTED_DATA = 4003
CLOSE_MESSAGE_TOO_BIG = 4009
# "Reconnect and sync": the server lost what it needs to keep this socket
# current (the channel layer was down), though the client did nothing wrong.
CLOSE_RECONNECT = 4012
# Closes that need no log line: the client left, or the server closed on purpose.
EXPECTED_CLOSES = {1000, 1001, CLOSE_UNSUPPORTED_DATA, CLOSE_MESSAGE_TOO_BIG, CLOSE_RECONNECT}


class DirectDispatch:
    """Calls a consumer's handlers without Channels' trip to the database thread first.

    Channels' ``AsyncConsumer.dispatch`` awaits ``aclose_old_connections()``
    before every handler: a hop to the one thread that runs
    ``database_sync_to_async`` work, for every message to every socket. With
    200 readers and 20 comments/s that is 4,000 hops/s queued in front of the
    writes themselves (``bench/fanout.py``). Every database call of these
    consumers goes through ``database_sync_to_async``, which closes stale
    connections on its own, so the hop does nothing for them.
    """

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class ThreadConsumer(DirectDispatch, AsyncWebsocketConsumer):
    """One reader of one thread: ``/ws/threads/<page_id>/``."""

    # --- socket events ------------------------------------------------------

    async def connect(self) -> None:
        self.page_id = int(self.scope["url_route"]["kwargs"]["page_id"])
        self.group = frames.thread_group(self.page_id)
        self.present = False  # has a presence row (signed in)
        self.confirmed: set[int] = set()  # ids already sent to this client as comment.created
        # Join the group before the snapshot is read, so a comment committed in
        # between arrives as comment.created rather than falling in the gap.
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except LAYER_ERRORS:
            logger.warning("thread %s: handshake refused, the channel layer is unreachable", self.page_id)
            await self.close()  # the client retries with backoff and syncs once in
            return
        try:
            # Session, access, presence and snapshot in one trip to the database
            # thread: during a reconnect storm every trip is a place in its queue.
            snapshot, here = await database_sync_to_async(self._open)()
        except (ThreadError, DatabaseError) as error:
            if isinstance(error, DatabaseError):
                logger.warning("thread %s: handshake refused, the database is unavailable", self.page_id)
            with contextlib.suppress(*LAYER_ERRORS):
                await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.close()  # before accept: the handshake is refused
            return
        await self.accept()
        self.accepted = True
        await self.send(
            text_data=frames.encode(
                {"type": "thread.snapshot", "thread": self.page_id, **snapshot.as_dict(), "presence": here}
            )
        )
        if self.present:
            presence.HEARTBEAT.add(self.channel_name)
            presence.NOTICES.changed(self.page_id)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "viewer"):
            return
        if getattr(self, "accepted", False) and code not in EXPECTED_CLOSES:
            # Typically daphne giving up on a client that stopped answering its
            # pings (1006): what it had not read is lost here, and fetched
            # again by its sync after the last id it saw, if it comes back.
            host, port = self.scope.get("client") or ("?", "?")
            logger.warning("thread %s: dropped %s:%s (close code %s)", self.page_id, host, port, code)
        with contextlib.suppress(*LAYER_ERRORS):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.present:
            presence.HEARTBEAT.discard(self.channel_name)
            try:
                await database_sync_to_async(presence.presence_leave)(channel_name=self.channel_name)
            except DatabaseError:  # the row expires with its heartbeat instead
                logger.warning("thread %s: presence row left to expire", self.page_id)
            presence.NOTICES.changed(self.page_id)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._send_error(ThreadError("invalid", "Frames must be JSON text."))
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            await self._send_error(ThreadError("too_long", "A frame can be at most 64 KiB."))
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._send_error(ThreadError("invalid", "That frame is not JSON."))
            return
        client_id = message.get("client_id") if isinstance(message, dict) else None
        client_id = client_id if isinstance(client_id, str) else None
        try:
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise ThreadError("invalid", "A message is a JSON object with a type.")
            command = self.commands.get(message["type"])
            if command is None:
                raise ThreadError("invalid", f"Unknown message type {message['type']!r}.")
            await command(self, message)
        except ThreadError as error:
            await self._send_error(error, client_id=client_id)
        except DatabaseError:
            logger.exception("thread %s: database error", self.page_id)
            await self._send_error(
                ThreadError("unavailable", "Not saved: the server is busy. Try again."), client_id=client_id
            )

    # --- commands -------------------------------------------------------------

    async def cmd_sync(self, message: dict) -> None:
        after, before = message.get("after"), message.get("before")
        if (after is None) == (before is None):
            raise ThreadError("invalid", "sync takes either after or before.")
        cursor = _int(after if before is None else before, "after" if before is None else "before")
        batch = await database_sync_to_async(self._read_batch)(after=after, before=before, cursor=cursor)
        await self.send(text_data=frames.encode({"type": "thread.sync", **batch.as_dict()}))

    async def cmd_comment_create(self, message: dict) -> None:
        parent = message.get("parent")
        if parent is not None:
            parent = _int(parent, "parent")
        result, outbox = await self._write(
            services.comment_create,
            body=message.get("body"),
            client_id=message.get("client_id"),
            parent_id=parent,
            author_argument=True,
        )
        # The sender hears at once, on its own socket, so its confirmation never
        # depends on the channel layer; the broadcast copy is then skipped. A
        # retry (not created) is answered here and nowhere else.
        if result.created:
            self.confirmed.add(result.comment.pk)
            text = result.author_frame
        else:
            text = await database_sync_to_async(self._comment_for_me)(result.comment)
        await self.send(text_data=text)
        await outbox.send()

    async def cmd_comment_edit(self, message: dict) -> None:
        await self._write_and_send(
            services.comment_edit, comment_id=_int(message.get("id"), "id"), body=message.get("body")
        )

    async def cmd_comment_delete(self, message: dict) -> None:
        await self._write_and_send(services.comment_delete, comment_id=_int(message.get("id"), "id"))

    async def cmd_comment_hide(self, message: dict) -> None:
        hidden = message.get("hidden")
        if not isinstance(hidden, bool):
            raise ThreadError("invalid", "hidden must be true or false.")
        await self._write_and_send(
            services.comment_hide, comment_id=_int(message.get("id"), "id"), hidden=hidden
        )

    async def cmd_reaction_toggle(self, message: dict) -> None:
        reaction = message.get("reaction")
        if not isinstance(reaction, str):
            raise ThreadError("invalid", "reaction must be text.")
        await self._write_and_send(
            services.reaction_toggle, comment_id=_int(message.get("id"), "id"), kind=reaction
        )

    async def cmd_typing(self, message: dict) -> None:
        def authorise_and_throttle():
            # The throttle reads the cache: off the event loop, in the same trip.
            user = self._authorise(write=True)
            return user, typing_allowed(page_id=self.page_id, user_id=user.pk)

        user, allowed = await database_sync_to_async(authorise_and_throttle)()
        if not allowed:
            return
        with contextlib.suppress(*LAYER_ERRORS):  # a typing notice is not worth an error
            await self.channel_layer.group_send(
                self.group,
                {
                    "type": "thread.typing",
                    "user_id": user.pk,
                    "text": frames.encode({"type": "typing", "user": display_name(user)}),
                },
            )

    commands = {
        "sync": cmd_sync,
        "comment.create": cmd_comment_create,
        "comment.edit": cmd_comment_edit,
        "comment.delete": cmd_comment_delete,
        "comment.hide": cmd_comment_hide,
        "reaction.toggle": cmd_reaction_toggle,
        "typing": cmd_typing,
    }

    # --- channel-layer handlers ---------------------------------------------------

    async def thread_comment(self, event: dict) -> None:
        """A comment created or updated: the author's, an editor's or the public view."""
        if event["frame"] == "comment.created" and event["id"] in self.confirmed:
            self.confirmed.discard(event["id"])
            return
        privileged = self.viewer.user_id == event["author_id"] or (
            self.viewer.is_editor and event.get("editor")
        )
        if privileged and self.viewer.user_id is not None:
            # Only the author's or an editor's copy says more than the public
            # one: make sure this is still them (rare, so worth a session read).
            await database_sync_to_async(self._refresh_viewer)()
        text = event["editor"] if self.viewer.is_editor and event.get("editor") else event["public"]
        if self.viewer.user_id is not None and self.viewer.user_id == event["author_id"]:
            frame = json.loads(text)
            frame["comment"]["client_id"] = event["client_id"]
            text = frames.encode(frame)
        await self.send(text_data=text)

    async def thread_frame(self, event: dict) -> None:
        """A frame that reads the same for everyone (deletions, reactions, presence)."""
        await self.send(text_data=event["text"])

    async def thread_typing(self, event: dict) -> None:
        if event["user_id"] != self.viewer.user_id:
            await self.send(text_data=event["text"])

    async def layer_recovered(self, event: dict) -> None:
        """The channel layer was unreachable and is back: this socket may have missed
        broadcasts and its group membership, so the client reconnects and syncs."""
        await self.close(code=CLOSE_RECONNECT)

    # --- internals (synchronous ones run in a worker thread) ------------------------

    def _open(self):
        user, store = session_user(self._session_key())
        access = thread_access(page_id=self.page_id, user=user, session=store)
        self.user = user
        self.viewer = Viewer.of(user)
        self._page = access.page
        if self.viewer.user_id is not None:
            presence.presence_join(page_id=self.page_id, user=user, channel_name=self.channel_name)
            self.present = True
        return (
            thread_snapshot(page_id=self.page_id, viewer=self.viewer),
            presence.presence_summary(page_id=self.page_id),
        )

    def _session_key(self) -> str | None:
        return scope_session_key(self.scope)

    def _refresh_viewer(self) -> None:
        user, _ = session_user(self._session_key())
        self.user = user
        self.viewer = Viewer.of(user)

    def _authorise(self, *, write: bool):
        """Re-read who is on the other end, and check they may still do this."""
        user, store = session_user(self._session_key())
        access = thread_access(page_id=self.page_id, user=user, session=store)
        if write and not access.can_post:
            raise ThreadError("auth_required", "Sign in to take part in this thread.")
        self.user = user
        self.viewer = (
            Viewer(user_id=user.pk, is_editor=is_editor(user)) if user.is_authenticated else Viewer()
        )
        self._page = access.page
        return user

    async def _write(self, service, *, author_argument: bool = False, **arguments) -> tuple:
        """Call ``service`` as the person on the socket; returns its result and what it broadcasts.

        The caller answers its own client first, then sends the outbox.
        """

        def call():
            user = self._authorise(write=True)
            actor = {"author": user} if author_argument else {"user": user}
            return service(page=self._page, **actor, **arguments)

        outbox = frames.Outbox()
        try:
            with outbox.collecting():
                result = await database_sync_to_async(call)()
        except Exception:
            await outbox.send()  # committed before whatever failed
            raise
        return result, outbox

    async def _write_and_send(self, service, **arguments) -> None:
        _, outbox = await self._write(service, **arguments)
        await outbox.send()

    def _read_batch(self, *, after, before, cursor: int):
        self._authorise(write=False)
        if before is None:
            return thread_after(page_id=self.page_id, after=cursor, viewer=self.viewer)
        return thread_before(page_id=self.page_id, before=cursor, viewer=self.viewer)

    def _comment_for_me(self, comment) -> str:
        data = comment_data(comment, viewer=self.viewer, reactions=reactions_of(comment.pk))
        return frames.encode({"type": "comment.created", "comment": data})

    async def _send_error(self, error: ThreadError, *, client_id: str | None = None) -> None:
        await self.send(text_data=frames.encode({"type": "error", **error.as_dict(), "client_id": client_id}))


class NotificationConsumer(DirectDispatch, AsyncWebsocketConsumer):
    """``/ws/notifications/``: a signed-in person's notifications, pushed as they are made."""

    async def connect(self) -> None:
        try:
            user, _ = await database_sync_to_async(session_user)(scope_session_key(self.scope))
        except DatabaseError:
            user = None
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.user_id = user.pk
        self.group = frames.notifications_group(user.pk)
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except LAYER_ERRORS:
            await self.close()
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            with contextlib.suppress(*LAYER_ERRORS):
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(
            text_data=frames.encode(
                {
                    "type": "error",
                    "code": "invalid",
                    "message": "This channel only pushes.",
                    "client_id": None,
                }
            )
        )

    async def notification_push(self, event: dict) -> None:
        """Forward a notification, unless its person has signed out since connecting."""
        user, _ = await database_sync_to_async(session_user)(scope_session_key(self.scope))
        if not user.is_authenticated or user.pk != self.user_id:
            await self.close()
            return
        await self.send(text_data=event["text"])

    async def layer_recovered(self, event: dict) -> None:
        await self.close(code=CLOSE_RECONNECT)


def _int(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ThreadError("invalid", f"{name} must be a whole number.")
    return value
