"""A thread's newest comments, kept in this process for a crowd of readers.

When a link to a busy post goes out, hundreds of sockets open on one thread
within a second or two, and each handshake read the same newest comments with
their authors and reactions: a third of a burst's database work
(``bench/burst.py``); each reader who loads the page read them again, a third
of the page's time (``bench/pages.py``). ``kept_records`` keeps what the last read found, per
thread, for at most ``KEEP_SECONDS`` and only while the thread's **version**
is unchanged: a value in the shared cache that every change to what a
snapshot shows replaces when it commits, before its frame is sent
(``frames.thread_send``). A reader that joined the thread's group and then
finds the version it kept is therefore not missing a change committed since:
the guarantee ``ThreadConsumer.connect`` relies on; a page read after a commit
likewise shows it. A read that overlaps a
commit is kept under the version before it, which the commit has replaced.
What nothing broadcasts (a person's new name, a lesson unpublished) is at
most ``KEEP_SECONDS`` late.

Records are the comment objects as their authors and editors see them;
``selectors.comment_for`` narrows each to its viewer, so a kept snapshot is
shared by everyone.
"""

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache

KEEP_SECONDS = 2.0
KEPT_THREADS = 256
VERSION_SECONDS = 24 * 3600


class KeptReads:
    """Reads kept in this process, per key, while their stamp is unchanged and for ``seconds`` at most.

    Handshakes read on the database thread and pages on a thread per request,
    so the entries change under a lock; two threads that miss at once both
    read. A stamp of None trusts nothing kept; a read that finds nothing
    (None) is not kept. What is kept is shared: callers must not change it.
    """

    def __init__(self, *, seconds: float, size: int) -> None:
        self.seconds, self.size = seconds, size
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, stamp: Hashable | None, read: Callable[[], Any]) -> Any:
        if stamp is None:
            return read()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == stamp and time.monotonic() - entry[1] < self.seconds:
            return entry[2]
        value = read()  # read after the stamp: a change meanwhile replaces the stamp
        with self._lock:
            if value is None:
                self._entries.pop(key, None)
            else:
                now = time.monotonic()
                self._entries[key] = (stamp, now, value)
                self._entries.move_to_end(key)
                # The oldest first: drop those past their time, then any beyond ``size``.
                while self._entries and (
                    len(self._entries) > self.size
                    or now - next(iter(self._entries.values()))[1] >= self.seconds
                ):
                    self._entries.popitem(last=False)
        return value


_kept = KeptReads(seconds=KEEP_SECONDS, size=KEPT_THREADS)


def _key(page_id: int) -> str:
    return f"threads:snapshot-version:{page_id}"


def thread_moved(page_id: int) -> None:
    """Mark ``page_id``'s thread as changed: kept snapshots of it are read again."""
    cache.set(_key(page_id), uuid.uuid4().hex, VERSION_SECONDS)


def thread_version(page_id: int) -> str | None:
    """The thread's current version, made if there is none.

    None when the cache is unreachable (django-redis then answers None): a
    change made meanwhile could not mark it, so nothing kept is trusted.
    """
    key = _key(page_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, VERSION_SECONDS)
        version = cache.get(key)
    return version


def kept_records(page_id: int, limit: int, read) -> tuple[list[dict[str, Any]], bool]:
    """``read()`` (records, has more) for the thread, or what it gave under the same version lately."""
    version = thread_version(page_id)
    return _kept.get(page_id, None if version is None else (version, limit), read)
