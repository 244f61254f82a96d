"""What a process keeps of its own reads, and the versions in the shared cache that say when to read again.

A crowd reads the same rows: a thread's newest comments for every socket and
page that shows it (``blog.threads.snapshots``), a thread's page for every
handshake (``blog.threads.access``), the page Wagtail's routing finds for an
address (``site.routes``). Each keeps what it read in a ``KeptReads``, stamped
with a **version**: a value in the shared cache that every change to what was
read replaces once it commits (``replace_version``). A read stamped with the
version before a change is never used after it; a read that overlaps a commit
is kept under the version the commit replaces. ``seconds`` bounds what no
change announces.
"""

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache

VERSION_SECONDS = 24 * 3600


class KeptReads:
    """Reads kept in this process, per key, while their stamp is unchanged and for ``seconds`` at most.

    Handshakes read on the read threads (or the database thread) and pages
    on a thread per request, so the entries change under a lock; two threads
    that miss at once both read. A stamp of None trusts nothing kept; a read that finds nothing
    (None) is not kept. What is kept is shared: callers must not change it.
    Entries stay in the order they were kept, so the oldest go first: those
    past their time whenever another is kept, then any beyond ``size``.
    """

    def __init__(self, *, seconds: float, size: int) -> None:
        self.seconds, self.size = seconds, size
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, stamp: Hashable | None, read: Callable[[], Any]) -> Any:
        """What ``read()`` gave under ``stamp`` lately, or a fresh ``read()``, kept."""
        if stamp is None:
            return read()
        value = self.peek(key, stamp)
        if value is None:
            value = read()  # read after the stamp: a change meanwhile replaces the stamp
            self.put(key, stamp, value)
        return value

    def peek(self, key: Hashable, stamp: Hashable) -> Any:
        """What is kept for ``key`` under ``stamp`` and not past its time, or None."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == stamp and time.monotonic() - entry[1] < self.seconds:
            return entry[2]
        return None

    def put(self, key: Hashable, stamp: Hashable, value: Any) -> None:
        """Keep ``value`` (read after ``stamp`` was) for ``key``; None forgets the key."""
        with self._lock:
            if value is None:
                self._entries.pop(key, None)
                return
            now = time.monotonic()
            self._entries[key] = (stamp, now, value)
            self._entries.move_to_end(key)
            while self._entries and (
                len(self._entries) > self.size or now - next(iter(self._entries.values()))[1] >= self.seconds
            ):
                self._entries.popitem(last=False)


def cache_version(key: str) -> str | None:
    """The version under ``key`` in the shared cache, made if there is none.

    None when the cache is unreachable: a change made meanwhile could not
    replace it, so nothing kept under it is trusted.
    """
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, VERSION_SECONDS)
            version = cache.get(key)
    except Exception:  # the cache backend's own errors (Redis down) have no common base class
        return None
    return version


def replace_version(key: str) -> None:
    """A change committed: what was kept under the version before is read again."""
    cache.set(key, uuid.uuid4().hex, VERSION_SECONDS)
