"""Group names and frames: encoded once, delivered by the channel layer.

A frame is JSON text. Broadcasts carry the text itself so a consumer forwards
it without encoding it again for every subscriber. A comment looks different
to its author (who gets ``client_id`` and the Markdown source) and to editors
(who get the source and, while it is hidden, the body), so comment events
carry the public text, the editors' one while hidden, and the per-person
fields the author's and editors' sockets add themselves.
"""

import contextlib
import json
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from blog.threads import snapshots
from blog.threads.selectors import (
    ANONYMOUS,
    Viewer,
    answer_data,
    comment_data,
    iso,
    notification_data,
    reactions_of,
)
from site.layers import LAYER_ERRORS
from site.visibility import privacy_epoch

logger = logging.getLogger(__name__)


def thread_group(page_id: int) -> str:
    return f"thread.{page_id}"


def notifications_group(user_id: int) -> str:
    return f"notifications.{user_id}"


def thread_send(page_id: int, event: dict[str, Any]) -> None:
    """``group_send`` to a thread, stamped with the privacy epoch as it is now.

    Call it after commit: each socket forwards the event without asking the
    database again only while its last decision was made under this epoch
    (``blog.threads.sockets``).
    """
    snapshots.thread_moved(page_id)  # before the frame: a socket that joins after it reads afresh
    group_send(thread_group(page_id), {**event, "privacy": privacy_epoch(fresh=True)})


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


# --- what services queue, after commit ----------------------------------------------


def comment_text(comment, *, frame_type: str, viewer: Viewer, reactions: dict[str, int]) -> str:
    """A ``comment.created``/``comment.updated`` frame as ``viewer`` sees it."""
    return encode({"type": frame_type, "comment": comment_data(comment, viewer=viewer, reactions=reactions)})


def comment_changed(comment, *, frame_type: str, reactions: dict[str, int] | None = None) -> None:
    """Tell the thread, once this transaction commits, that ``comment`` was made or changed.

    The event carries the public text and, while the comment is hidden, the
    editors' one, each encoded once; the author's sockets add ``client_id``
    and ``body`` (the Markdown source), editors' sockets ``body``, themselves
    (rare), which keeps the text every other subscriber forwards as it is.
    """
    if reactions is None:
        reactions = reactions_of(comment.pk)
    event = {
        "type": "thread.comment",
        "frame": frame_type,
        "id": comment.pk,
        "author_id": comment.author_id,
        "client_id": comment.client_id,
        "source": None if comment.deleted else comment.body,
        "public": comment_text(comment, frame_type=frame_type, viewer=ANONYMOUS, reactions=reactions),
        "editor": (
            comment_text(comment, frame_type=frame_type, viewer=Viewer(is_editor=True), reactions=reactions)
            if comment.hidden and not comment.deleted
            else None
        ),
    }
    page_id = comment.page_id
    transaction.on_commit(lambda: thread_send(page_id, event))


def thread_changed(page_id: int, frame: dict[str, Any]) -> None:
    """Tell the thread, once this transaction commits, a frame that reads the same for everyone."""
    event = {"type": "thread.frame", "text": encode(frame)}
    transaction.on_commit(lambda: thread_send(page_id, event))


def flagged_frame(flag) -> dict[str, Any]:
    """What the flagger is told of their flag (and nobody else): ``comment.flagged``."""
    return {
        "type": "comment.flagged",
        "id": flag.comment_id,
        "flag": {"reason": flag.reason, "note": flag.note, "created": iso(flag.created)},
    }


def answered_frame(question, *, previous_id: int | None) -> dict[str, Any]:
    """The ``comment.answered`` frame: ``question``'s answer as it is now (None when unmarked)."""
    return {
        "type": "comment.answered",
        "question": question.pk,
        "answer": answer_data(question.answer) if question.answer_id else None,
        "previous": previous_id,
    }


def answer_changed(question, *, previous_id: int | None) -> None:
    """Tell the thread, once committed, that ``question``'s answer was marked, changed or unmarked.

    The answer is never hidden or deleted (marking refuses those, and hiding
    or deleting it unmarks it), so the frame reads the same for everyone.
    """
    thread_changed(question.page_id, answered_frame(question, previous_id=previous_id))


def notifications_made(notifications, *, unread: dict[int, int]) -> None:
    """Push each notification to its person's sockets, with their unread count, once committed."""
    events = [
        (
            notifications_group(n.recipient_id),
            {
                "type": "notification.push",
                "text": encode(
                    {
                        "type": "notification",
                        "notification": notification_data(n),
                        "unread": unread[n.recipient_id],
                    }
                ),
            },
        )
        for n in notifications
    ]

    def push() -> None:
        for group, event in events:
            group_send(group, event)

    transaction.on_commit(push)


# Set by a consumer around its trip to the database thread: broadcasts queued
# there are sent by the consumer afterwards, on the event loop, instead of
# holding the database thread while the loop gets round to sending them.
_outbox: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar("broadcast_outbox", default=None)


def group_send(group: str, event: dict[str, Any]) -> None:
    """Deliver ``event`` from synchronous code (services, after commit).

    Delivery is best effort: the comment is already saved, and a client that
    misses the push catches up with ``sync``.
    """
    outbox = _outbox.get()
    if outbox is not None:
        outbox.append((group, event))
        return
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(_send)(layer, group, event)


class Outbox:
    """What synchronous code broadcasts while ``collecting``, held to be sent later, on the loop.

    A consumer collects around its trip to the database thread, answers its
    own client, then ``send``-s: the database thread never waits for the
    loop, and the sender's acknowledgement never waits for the broadcasts.
    ``database_trip`` copies the context into its thread, so
    ``group_send`` there sees the outbox. Services queue broadcasts only in
    ``on_commit``, so whatever is in it was committed.
    """

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    @contextlib.contextmanager
    def collecting(self) -> Iterator["Outbox"]:
        token = _outbox.set(self.events)
        try:
            yield self
        finally:
            _outbox.reset(token)

    async def send(self) -> None:
        layer = get_channel_layer()
        events, self.events = self.events, []
        for group, event in events if layer is not None else ():
            await _send(layer, group, event)


async def _send(layer, group: str, event: dict[str, Any]) -> None:
    try:
        await layer.group_send(group, event)
    except LAYER_ERRORS as error:  # the broker is down: clients catch up when it is back
        logger.warning("could not broadcast %s to %s: %s", event.get("type"), group, error)
    except Exception:  # nor must any other failure turn a saved write into an error
        logger.exception("could not broadcast %s to %s", event.get("type"), group)


def notifications_read(*, user_id: int, unread: int) -> None:
    """Tell a person's open pages their new unread count once committed (they read some elsewhere)."""
    event = {"type": "notification.push", "text": encode({"type": "notifications.read", "unread": unread})}
    transaction.on_commit(lambda: group_send(notifications_group(user_id), event))
