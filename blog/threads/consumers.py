"""The WebSocket consumer of live threads (``NotificationConsumer`` is in ``notification_consumer``).

``ThreadConsumer`` is thin, in three parts: socket events (connect, receive,
disconnect), commands (one method per client message ``type``), and
channel-layer handlers (``thread.comment`` is handled by ``thread_comment``).
It authenticates, authorises and validates, calls one service, and turns a
``ThreadError`` into an error frame. It guarantees:

* the handshake is refused unless the page exists, is live, carries a thread
  and the person may view it (Origin is checked by ``site.asgi``);
* permissions are checked on every message with the session read afresh, so
  signing out elsewhere stops an open socket from posting;
* nothing is forwarded to a person who may no longer see the page: every
  broadcast carries the privacy epoch, and the socket checks again when it
  moved (or its last check is ``RECHECK_SECONDS`` old), and at once when the
  person's own access changes (sign-out, groups). When access has ended the
  socket gets an ``error`` frame and is closed with 4403;
* errors never close the socket, except for an unreadable frame (binary, or
  over ``MAX_FRAME_BYTES``) and access ending;
* the connection joins the thread's group before reading the snapshot, so a
  comment committed in between arrives as ``comment.created`` (clients drop
  ids they already have);
* a channel-layer outage closes no socket while it lasts; once it is over
  every socket is closed with 4012 so its client resyncs (``site.layers``).
"""

import asyncio
import contextlib
import json
import logging
import time

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError

from blog.threads import flags, frames, presence, questions, services
from blog.threads.access import scope_session_key, session_user, thread_access
from blog.threads.errors import ThreadError
from blog.threads.limits import typing_allowed
from blog.threads.selectors import (
    NO_REACTIONS,
    Viewer,
    comment_data,
    reactions_of,
    thread_after,
    thread_before,
    thread_snapshot,
)
from blog.threads.sockets import (
    CLOSE_ACCESS_ENDED,
    CLOSE_BUSY,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_RECONNECT,
    CLOSE_UNSUPPORTED_DATA,
    EXPECTED_CLOSES,
    MAX_FRAME_BYTES,
    SocketConsumer,
    message_id,
    person_group,
    session_digest,
)
from blog.threads.trips import TripGate, database_trip, read_trip
from site.inputs import InvalidInput, parse_json
from site.layers import LAYER_ERRORS
from site.people import display_name
from site.visibility import one_epoch, privacy_epoch

logger = logging.getLogger(__name__)

# A decision older than this is made again at the next frame, whatever the
# epoch says: the bound for what nothing announces (a session that expired, a
# password changed, an account made inactive).
RECHECK_SECONDS = 120
# Handshakes queued for the database at once (on the read threads, or on
# SQLite the database thread, where a comment posted meanwhile waits behind
# no more than these). One not let in within
# ADMIT_SECONDS (daphne drops a handshake unanswered after 5 s) is closed with
# 4013, "busy", and its client comes back after a backoff.
HANDSHAKES = TripGate(8)
ADMIT_SECONDS = 3.0


class ThreadConsumer(SocketConsumer):
    """One reader of one thread: ``/ws/threads/<page_id>/``."""

    # --- socket events ------------------------------------------------------

    async def connect(self) -> None:
        self.page_id = self.scope["url_route"]["kwargs"]["page_id"]
        self.group = frames.thread_group(self.page_id)
        self.present = False  # counted as here (signed in): has a presence row, or is to have one
        self.signed_out = False  # its session was signed out: never read it again
        self.person_group: str | None = None  # joined while signed in
        # Ids already sent to this client as comment.created; most sockets never
        # post, and the empty frozenset is one object for all of them.
        self.confirmed: frozenset[int] = frozenset()
        # Join the group before the snapshot is read, so a comment committed in
        # between arrives as comment.created rather than falling in the gap.
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except LAYER_ERRORS:
            logger.warning("thread %s: handshake refused, the channel layer is unreachable", self.page_id)
            await self.close()  # the client retries with backoff and syncs once in
            return
        try:
            # Session, access, presence and snapshot in one read trip: during a
            # reconnect storm every trip is a place in a queue.
            async with HANDSHAKES.admitted(within=ADMIT_SECONDS):
                arriving = presence.NOTICES.arriving(self.page_id)
                snapshot, here, person = await read_trip(self._open)(arriving)
        except TimeoutError:
            # Answered, not dropped: daphne would give up on it silently at 5 s.
            logger.info("thread %s: handshake shed, too many at once", self.page_id)
            await self._leave_groups()
            await self.accept()
            await self.close(code=CLOSE_BUSY)
            return
        except (ThreadError, DatabaseError) as error:
            if not isinstance(error, ThreadError):
                logger.warning("thread %s: handshake refused (%s)", self.page_id, type(error).__name__)
            await self._leave_groups()
            await self.close()  # before accept: the handshake is refused
            return
        await self.accept()
        self.accepted = True
        snapshot_text = frames.encode(
            {"type": "thread.snapshot", "thread": self.page_id, **snapshot.as_dict(), "presence": here}
        )
        if self.viewer.user_id is not None:
            # The person's own group, joined once the handshake is done (daphne gives
            # the handshake 5 s; under a reconnect storm every step before accept
            # counts) and before the snapshot, so a sign-out after it is heard.
            self.person_group = person_group(self.viewer.user_id)
            try:
                await self.channel_layer.group_add(self.person_group, self.channel_name)
            except LAYER_ERRORS as error:  # the recheck interval still bounds a missed sign-out
                logger.warning("thread %s: person group not joined (%s)", self.page_id, error)
        await self.send(text_data=snapshot_text)
        if self.viewer.user_id is not None:
            self.present = True
            presence.HEARTBEAT.add(self.channel_name)
            presence.NOTICES.joined(
                page_id=self.page_id,
                user_id=self.viewer.user_id,
                channel_name=self.channel_name,
                person=person,
            )

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "viewer"):
            return
        if getattr(self, "accepted", False) and code not in EXPECTED_CLOSES:
            # Typically daphne giving up on a client that stopped answering its
            # pings (1006): what it had not read is lost here, and fetched
            # again by its sync after the last id it saw, if it comes back.
            host, port = self.scope.get("client") or ("?", "?")
            logger.warning("thread %s: dropped %s:%s (close code %s)", self.page_id, host, port, code)
        await self._leave_groups()
        await self._leave_presence()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._send_error(ThreadError("invalid", "Frames must be JSON text."))
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        if (
            len(text_data) > MAX_FRAME_BYTES
            or len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES
        ):
            await self._send_error(ThreadError("too_long", "A frame can be at most 64 KiB."))
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        try:
            message = parse_json(text_data, max_bytes=MAX_FRAME_BYTES)
        except InvalidInput as error:
            await self._send_error(ThreadError("invalid", f"That frame is not usable JSON: {error}"))
            return
        client_id = message.get("client_id") if isinstance(message, dict) else None
        client_id = client_id if isinstance(client_id, str) else None
        try:
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise ThreadError("invalid", "A message is a JSON object with a type.")
            command = self.commands.get(message["type"])
            if command is None:
                raise ThreadError("invalid", f"Unknown message type {message['type'][:40]!r}.")
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
        cursor = message_id(after if before is None else before, "after" if before is None else "before")
        batch = await read_trip(self._read_batch)(after=after, before=before, cursor=cursor)
        await self.send(text_data=frames.encode({"type": "thread.sync", **batch.as_dict()}))

    async def cmd_comment_create(self, message: dict) -> None:
        parent = message.get("parent")
        if parent is not None:
            parent = message_id(parent, "parent")
        result, outbox = await self._write(
            services.comment_create,
            body=message.get("body"),
            client_id=message.get("client_id"),
            parent_id=parent,
            question=message.get("question", False),
        )
        # The sender hears at once, on its own socket, so its confirmation never
        # depends on the channel layer; the broadcast copy is then skipped. A
        # retry (not created) is answered here and nowhere else.
        if result.created:
            self.confirmed = self.confirmed | {result.comment.pk}
            text = frames.comment_text(
                result.comment, frame_type="comment.created", viewer=self.viewer, reactions=NO_REACTIONS
            )
        else:
            text = await database_trip(self._comment_for_me)(result.comment)
        await self.send(text_data=text)
        await outbox.send()

    async def cmd_comment_edit(self, message: dict) -> None:
        await self._write_and_send(
            services.comment_edit, comment_id=message_id(message.get("id"), "id"), body=message.get("body")
        )

    async def cmd_comment_delete(self, message: dict) -> None:
        await self._write_and_send(services.comment_delete, comment_id=message_id(message.get("id"), "id"))

    async def cmd_comment_hide(self, message: dict) -> None:
        hidden = message.get("hidden")
        if not isinstance(hidden, bool):
            raise ThreadError("invalid", "hidden must be true or false.")
        await self._write_and_send(
            services.comment_hide, comment_id=message_id(message.get("id"), "id"), hidden=hidden
        )

    async def cmd_reaction_toggle(self, message: dict) -> None:
        reaction = message.get("reaction")
        if not isinstance(reaction, str):
            raise ThreadError("invalid", "reaction must be text.")
        await self._write_and_send(
            services.reaction_toggle, comment_id=message_id(message.get("id"), "id"), kind=reaction
        )

    async def cmd_comment_answer(self, message: dict) -> None:
        if "answer" not in message:
            raise ThreadError("invalid", "comment.answer takes an answer: a comment id, or null to unmark.")
        answer = message["answer"]
        await self._write_and_send(
            questions.comment_answer,
            question_id=message_id(message.get("question"), "question"),
            answer_id=None if answer is None else message_id(answer, "answer"),
        )

    async def cmd_comment_flag(self, message: dict) -> None:
        """Flags are private: the flagger alone hears ``comment.flagged``; a hide that follows reaches all."""
        result, outbox = await self._write(
            flags.comment_flag,
            comment_id=message_id(message.get("id"), "id"),
            reason=message.get("reason"),
            note=message.get("note", ""),
        )
        await self.send(text_data=frames.encode(frames.flagged_frame(result.flag)))
        await outbox.send()

    async def cmd_typing(self, message: dict) -> None:
        def authorise_and_throttle():
            # The throttle reads the cache: off the event loop, in the same trip.
            user = self._authorise(write=True)
            return user, typing_allowed(page_id=self.page_id, user_id=user.pk), self.epoch

        user, allowed, epoch = await database_trip(authorise_and_throttle)()
        if not allowed:
            return
        with contextlib.suppress(*LAYER_ERRORS):  # a typing notice is not worth an error
            await self.channel_layer.group_send(
                self.group,
                {
                    "type": "thread.typing",
                    "user_id": user.pk,
                    "text": frames.encode({"type": "typing", "user": display_name(user)}),
                    "privacy": epoch,
                },
            )

    commands = {
        "sync": cmd_sync,
        "comment.create": cmd_comment_create,
        "comment.edit": cmd_comment_edit,
        "comment.delete": cmd_comment_delete,
        "comment.hide": cmd_comment_hide,
        "reaction.toggle": cmd_reaction_toggle,
        "comment.answer": cmd_comment_answer,
        "comment.flag": cmd_comment_flag,
        "typing": cmd_typing,
    }

    # --- channel-layer handlers ---------------------------------------------------

    async def thread_comment(self, event: dict) -> None:
        """A comment created or updated: the author's, an editor's or the public view."""
        if event["frame"] == "comment.created" and event["id"] in self.confirmed:
            self.confirmed = self.confirmed - {event["id"]}
            return
        if not self._decided(event) and not await self._may_forward(event):
            return
        privileged = self.viewer.user_id == event["author_id"] or (
            self.viewer.is_editor and event.get("editor")
        )
        if privileged and self.viewer.user_id is not None:
            # Only the author's or an editor's copy says more than the public
            # one: make sure this is still them (rare, so worth a session read).
            await database_trip(self._refresh_viewer)()
        text = event["editor"] if self.viewer.is_editor and event.get("editor") else event["public"]
        author = self.viewer.user_id is not None and self.viewer.user_id == event["author_id"]
        if author or (self.viewer.is_editor and event.get("source") is not None):
            # The per-person fields of the comment object (``selectors.comment_data``).
            frame = json.loads(text)
            if author:
                frame["comment"]["client_id"] = event["client_id"]
            frame["comment"]["body"] = event.get("source")
            text = frames.encode(frame)
        await self.send(text_data=text)

    async def thread_frame(self, event: dict) -> None:
        """A frame that reads the same for everyone (deletions, reactions, presence)."""
        if self._decided(event) or await self._may_forward(event):
            await self.send(text_data=event["text"])

    async def thread_typing(self, event: dict) -> None:
        if event["user_id"] != self.viewer.user_id and await self._may_forward(event):
            await self.send(text_data=event["text"])

    async def person_changed(self, event: dict) -> None:
        """The person's own access changed (signed out, groups): decide again now."""
        mine = session_digest(self._session_key())
        if mine is not None and event.get("ended_session") == mine:
            self.signed_out = True
        await self._recheck()

    async def layer_recovered(self, event: dict) -> None:
        """The channel layer was unreachable and is back: this socket may have missed
        broadcasts and its group membership, so the client reconnects and syncs."""
        await self.close(code=CLOSE_RECONNECT)

    # --- access, cached per socket ---------------------------------------------------

    def _decided(self, event: dict) -> bool:
        """Whether this socket's last decision holds for ``event``: same epoch, and recent."""
        epoch = event.get("privacy")
        return (
            epoch is not None
            and epoch == self.epoch
            and time.monotonic() - self.checked_at < RECHECK_SECONDS
            and not self.socket_closed
        )

    async def _may_forward(self, event: dict) -> bool:
        """Whether this socket may still be sent a thread broadcast; decides again when stale."""
        if self._decided(event):  # every frame but the first after a change: no await, no trip
            return True
        return not self.socket_closed and await self._recheck()

    async def _recheck(self) -> bool:
        was_signed_in = self.viewer.user_id is not None
        try:
            await read_trip(self._check_access)()
        except ThreadError as error:
            await self._end(error)
            return False
        except DatabaseError:  # not forwarded unchecked; the client catches up by sync later
            logger.warning("thread %s: access not re-checked, the database is unavailable", self.page_id)
            return False
        if was_signed_in and self.viewer.user_id is None:
            await self._leave_presence()  # still allowed in, now as an anonymous reader
        return True

    async def _end(self, error: ThreadError) -> None:
        """Access ended: say why, then close with 4403 (the client does not reconnect)."""
        await self._send_error(error)
        await self.close(code=CLOSE_ACCESS_ENDED)

    # --- internals (synchronous ones run in a worker thread) ------------------------

    def _open(self, arriving: presence.People):
        """The snapshot, who is here, and the person as others' snapshots name them until their row is in."""
        user = self._check_access(handshake=True)
        here = presence.presence_for_snapshot(
            page_id=self.page_id, user=user, epoch=self.epoch, arriving=arriving
        )
        person = (display_name(user), user.get_username()) if user.is_authenticated else None
        return thread_snapshot(page_id=self.page_id, viewer=self.viewer, kept=True), here, person

    def _session_key(self) -> str | None:
        return None if self.signed_out else scope_session_key(self.scope)

    def _check_access(self, *, handshake: bool = False):
        """Who is on the other end now, and whether they may read the thread; raises ``ThreadError``.

        The epoch is read first: a change committed during the check moves it
        again, so the next broadcast makes the socket decide once more. A
        handshake may take the page as this process read it in the same epoch.
        """
        epoch = privacy_epoch()
        user, store = session_user(self._session_key()) if not self.signed_out else (AnonymousUser(), None)
        access = thread_access(
            page_id=self.page_id, user=user, session=store, epoch=epoch, handshake=handshake
        )
        self.viewer = Viewer.of(user)  # all a socket keeps of the person: their id and role
        self._page = access.page
        self.epoch, self.checked_at = epoch, time.monotonic()
        return user

    def _refresh_viewer(self) -> None:
        user, _ = session_user(self._session_key())
        self.viewer = Viewer.of(user)

    def _authorise(self, *, write: bool):
        """Re-read who is on the other end, and check they may still do this."""
        user = self._check_access()
        if write and not user.is_authenticated:
            raise ThreadError("auth_required", "Sign in to take part in this thread.")
        return user

    async def _write(self, service, **arguments) -> tuple:
        """Call ``service`` as the person on the socket; returns its result and what it broadcasts.

        The caller answers its own client first, then sends the outbox.
        """

        def call():
            # The check and the service's own decisions (who is notified) share one epoch read.
            with one_epoch():
                user = self._authorise(write=True)
                return service(page=self._page, user=user, **arguments)

        outbox = frames.Outbox()
        try:
            with outbox.collecting():
                result = await database_trip(call)()
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

    async def _leave_groups(self) -> None:
        groups = [self.group, *([self.person_group] if self.person_group else [])]
        with contextlib.suppress(*LAYER_ERRORS):
            await asyncio.gather(*(self.channel_layer.group_discard(g, self.channel_name) for g in groups))

    async def _leave_presence(self) -> None:
        if not self.present:
            return
        self.present = False
        presence.HEARTBEAT.discard(self.channel_name)
        if not presence.NOTICES.left(self.channel_name):
            try:
                await database_trip(presence.presence_leave)(channel_name=self.channel_name)
            except DatabaseError:  # the row expires with its heartbeat instead
                logger.warning("thread %s: presence row left to expire", self.page_id)
        presence.NOTICES.changed(self.page_id)

    async def _send_error(self, error: ThreadError, *, client_id: str | None = None) -> None:
        await self.send(text_data=frames.encode({"type": "error", **error.as_dict(), "client_id": client_id}))
