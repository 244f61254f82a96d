"""Who is reading a thread, counted per person across tabs and processes.

Each signed-in connection keeps a ``Presence`` row (the database is shared by
every daphne process) and refreshes it every ``HEARTBEAT_SECONDS``; rows not
refreshed for ``EXPIRY_SECONDS`` belong to a process that died and are
ignored, then swept. Two tasks per process keep the rows fresh
(``HEARTBEAT``) and tell threads who is there (``NOTICES``); the notices
task also writes the rows of the sockets that joined since its last turn, in
one insert, so a handshake does not wait for its own.
"""

import asyncio
import contextlib
import logging
import threading
import time
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from wagtail.models import Page

from channels.layers import get_channel_layer

from blog.threads import frames
from blog.threads.models import Presence
from blog.threads.trips import database_trip
from site.layers import LAYER_ERRORS
from site.people import display_name, person_url
from site.visibility import privacy_epoch

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
EXPIRY_SECONDS = 90


# Sockets that joined and whose rows are not written yet: channel name -> (page id, user id).
Joins = dict[str, tuple[int, int]]


def presence_join_many(joins: Joins) -> None:
    # A channel name is new with every connection: an insert, not update_or_create.
    now = timezone.now()
    Presence.objects.bulk_create(
        Presence(channel_name=channel_name, page_id=page_id, user_id=user_id, seen=now)
        for channel_name, (page_id, user_id) in joins.items()
    )


def presence_leave(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


def presence_touch(*, channel_name: str) -> None:
    presence_touch_many(channel_names=[channel_name])


def presence_touch_many(*, channel_names: list[str]) -> None:
    """Refresh these connections' rows (one process's), then sweep rows of dead processes."""
    now = timezone.now()
    for start in range(0, len(channel_names), 500):  # under SQLite's limit on query parameters
        Presence.objects.filter(channel_name__in=channel_names[start : start + 500]).update(seen=now)
    Presence.objects.filter(seen__lt=now - timedelta(seconds=EXPIRY_SECONDS)).delete()


# Who is on a thread: user id -> (display name, username).
People = dict[int, tuple[str, str]]


def presence_for_snapshot(*, page_id: int, user, epoch: str | None, arriving: People | None = None) -> dict:
    """Who is on the thread for a new socket's snapshot, at most ``RECENT_SECONDS`` old, with ``user``.

    ``arriving``: people whose sockets joined and whose rows are not written
    yet (``PresenceNotices.arriving``), counted too.

    ``{"count": n, "users": [display names], "people": [{"username", "name", "url"}],
    "hosts_here": bool}``.

    Reading every row of a thread for every handshake is quadratic when a
    crowd arrives at once (200 joins read 20,000 rows). A summary read in this
    process in the last ``RECENT_SECONDS`` under the same privacy epoch serves
    instead, with the person who is connecting added. Whatever changed since
    reaches the socket as a ``presence`` frame: this process's own joins and
    leaves refresh the summary as they are announced, and another process's
    arrive as that process's frames.
    """
    recent = _recent.get(page_id)
    if recent is None or recent[1] != epoch or epoch is None or time.monotonic() - recent[0] > RECENT_SECONDS:
        people, hosts = _people_here([page_id], epoch=epoch)[page_id]
    else:
        people, hosts = recent[2], recent[3]
    people_read = people
    if arriving:
        people = {**arriving, **people}
    if user is not None and user.is_authenticated and user.pk not in people:
        people = {**people, user.pk: (display_name(user), user.get_username())}
    if hosts is None and len(people) >= 2:  # not asked while fewer were here
        hosts = _hosts_of([page_id])[page_id]
        with _recent_lock:  # asked once per summary, not once per socket; never over a later one
            kept = _recent.get(page_id)
            if kept is not None and kept[3] is None and kept[2] is people_read:
                _recent[page_id] = (*kept[:3], hosts)
    return _summary(people, hosts)


RECENT_SECONDS = 2.0
# page id -> (when the read began, epoch, people, hosts): read and written by
# the database thread and the read threads (blog.threads.trips.read_trip).
_recent: dict[int, tuple[float, str | None, People, frozenset[int] | None]] = {}
_recent_lock = threading.Lock()


def _people_here(page_ids, *, epoch: str | None = None) -> dict[int, tuple[People, frozenset[int] | None]]:
    """Who is on each thread, and the thread's hosts (``thread_host_ids``), read together.

    The hosts are asked once per summary, not per frame, and only where two
    or more people are here (they are two, or none; ``None`` when not asked):
    one query for the page types, then the host hook of each page (one at most).
    """
    began = time.monotonic()
    since = timezone.now() - timedelta(seconds=EXPIRY_SECONDS)
    rows = Presence.objects.filter(page_id__in=list(page_ids), seen__gte=since).select_related("user")
    here: dict[int, People] = {page_id: {} for page_id in page_ids}
    for row in rows:
        here[row.page_id][row.user_id] = (display_name(row.user), row.user.get_username())
    hosts = _hosts_of([page_id for page_id, people in here.items() if len(people) >= 2])
    result = {page_id: (people, hosts.get(page_id)) for page_id, people in here.items()}
    if epoch is not None:
        with _recent_lock:  # a read that began earlier never replaces a later one
            for page_id, found in result.items():
                kept = _recent.get(page_id)
                if kept is None or kept[0] <= began:
                    _recent[page_id] = (began, epoch, *found)
    return result


def _hosts_of(page_ids: list[int]) -> dict[int, frozenset[int]]:
    """Each page's hosts, as the page type's ``thread_host_ids`` names them."""
    if not page_ids:
        return {}
    hosts = dict.fromkeys(page_ids, frozenset())
    for page in Page.objects.filter(pk__in=page_ids).select_related("content_type").only("content_type"):
        host_ids = getattr(page.specific_class, "thread_host_ids", None)
        hosts[page.pk] = frozenset(host_ids(page.pk)) if host_ids else frozenset()
    return hosts


def _summary(people: People, hosts: frozenset[int] | None = None) -> dict:
    """The presence object: everyone counted, the first ``NAMED`` by name listed.

    ``hosts_here``: the page has hosts (both members of its pair) and every one
    of them is here, counted from everyone, not just the people named.
    """
    ordered = sorted(people.values(), key=lambda person: (person[0].casefold(), person[1]))[:NAMED]
    return {
        "count": len(people),
        "users": [name for name, _ in ordered],
        "people": [
            {"username": username, "name": name, "url": person_url(username)} for name, username in ordered
        ],
        "hosts_here": bool(hosts) and hosts <= people.keys(),
    }


# People named in a presence frame. Every reader of a thread gets each frame:
# naming all of 200 readers made every notice ~10 KB, sent 200 times.
NAMED = 20


# --- the per-process tasks --------------------------------------------------


def _running_here(task: asyncio.Task | None) -> bool:
    """Whether ``task`` is still running on this event loop (tests run a loop each)."""
    return task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop()


class PresenceHeartbeat:
    """Keeps the presence rows of every signed-in socket of this process fresh, together.

    One task per process touches all of them in one ``UPDATE`` every
    ``HEARTBEAT_SECONDS``. A task per socket meant two queries per socket per
    heartbeat, each a trip to the one thread ``database_trip`` runs
    on: with a few hundred idle sockets that thread had no time left for
    handshakes (``bench/idle.py``).
    """

    def __init__(self) -> None:
        self.channels: set[str] = set()
        self.task: asyncio.Task | None = None

    def add(self, channel_name: str) -> None:
        self.channels.add(channel_name)
        if not _running_here(self.task):
            self.task = asyncio.create_task(self._beat())

    def discard(self, channel_name: str) -> None:
        self.channels.discard(channel_name)
        if not self.channels and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(DatabaseError):
                await database_trip(presence_touch_many)(channel_names=list(self.channels))


HEARTBEAT = PresenceHeartbeat()


class PresenceNotices:
    """Tells each thread who is here, at most once per ``COALESCE_SECONDS`` per process.

    A notice per join and leave is O(N²) frames when N people arrive at once
    (a reconnect storm: 300 joins to 300 sockets) and a database trip each.
    Joins and leaves mark the thread instead; one task sends the count of
    every marked thread, read in one query, a moment later.

    The same turn first writes the presence rows of the sockets that joined
    since the last one (``joined``), in one insert: a row of its own was an
    insert and a commit in every handshake, in the queue every handshake
    waits in. A socket's own snapshot counts its person already
    (``presence_for_snapshot``); other processes count it from the turn on.
    """

    COALESCE_SECONDS = 0.25

    def __init__(self) -> None:
        self.pending: set[int] = set()
        self.joins: Joins = {}
        self.writing: Joins = {}  # the joins the turn under way is writing
        self.people: People = {}  # the names of the people in ``joins`` and ``writing``
        self.task: asyncio.Task | None = None

    def changed(self, page_id: int) -> None:
        self.pending.add(page_id)
        if not _running_here(self.task):
            self.task = asyncio.create_task(self._send())

    def joined(
        self, *, page_id: int, user_id: int, channel_name: str, person: tuple[str, str] | None = None
    ) -> None:
        """A signed-in socket is in: its row is written by the next turn; ``person`` is (name, username)."""
        self.joins[channel_name] = (page_id, user_id)
        if person is not None:
            self.people[user_id] = person
        self.changed(page_id)

    def arriving(self, page_id: int) -> People:
        """Who joined ``page_id`` and is in no summary yet (their rows are still to be written).

        A snapshot adds them (``presence_for_snapshot``): a tab opened just
        after another person's must count them. Read on the event loop, where
        ``joins`` change, and handed to the handshake's trip.
        """
        joins = (*self.joins.values(), *self.writing.values())
        return {
            user_id: self.people[user_id] for at, user_id in joins if at == page_id and user_id in self.people
        }

    def left(self, channel_name: str) -> bool:
        """Whether the socket's row was still to be written (then there is no row to delete)."""
        return self.joins.pop(channel_name, None) is not None

    async def _send(self) -> None:
        # Marks made while a batch is being sent are picked up by the next turn.
        while self.pending:
            await asyncio.sleep(self.COALESCE_SECONDS)
            page_ids, self.pending = self.pending, set()
            joins, self.joins = self.joins, {}
            self.writing = joins
            try:
                epoch, summaries = await database_trip(_summaries_now)(page_ids, joins)
                layer = get_channel_layer()
                for page_id, here in summaries.items():
                    text = frames.encode({"type": "presence", **here})
                    event = {"type": "thread.frame", "text": text, "privacy": epoch}
                    await layer.group_send(frames.thread_group(page_id), event)
            except DatabaseError as error:  # the next turn writes the rows of sockets still here
                logger.warning("presence of threads %s not sent: %s", sorted(page_ids), error)
                self.joins.update({name: join for name, join in joins.items() if name in HEARTBEAT.channels})
            except LAYER_ERRORS as error:  # the next join or leave sends it
                logger.warning("presence of threads %s not sent: %s", sorted(page_ids), error)
            except Exception:  # never let one bad turn stop presence for the process
                logger.exception("presence of threads %s not sent", sorted(page_ids))
            finally:  # the summaries read since count them, or ``joins`` has them again
                self.writing = {}
                still = {user_id for _, user_id in self.joins.values()}
                self.people = {user_id: person for user_id, person in self.people.items() if user_id in still}


def _summaries_now(page_ids, joins: Joins) -> tuple[str | None, dict[int, dict]]:
    """The rows of ``joins`` written, the privacy epoch read, then who is on each thread.

    Who is on each thread is what a presence event carries, and what the next
    snapshots start from.
    """
    if joins:
        presence_join_many(joins)
    epoch = privacy_epoch()
    here = _people_here(page_ids, epoch=epoch)
    return epoch, {page_id: _summary(people, hosts) for page_id, (people, hosts) in here.items()}


NOTICES = PresenceNotices()
