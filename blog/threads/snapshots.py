"""A thread's newest comments, kept in this process for the handshakes of a crowd.

When a link to a busy post goes out, hundreds of sockets open on one thread
within a second or two, and each handshake read the same newest comments with
their authors and reactions: a third of a burst's database work
(``bench/burst.py``). ``kept_records`` keeps what the last read found, per
thread, for at most ``KEEP_SECONDS`` and only while the thread's **version**
is unchanged: a value in the shared cache that every change to what a
snapshot shows replaces when it commits, before its frame is sent
(``frames.thread_send``). A reader that joined the thread's group and then
finds the version it kept is therefore not missing a change committed since:
the guarantee ``ThreadConsumer.connect`` relies on. A read that overlaps a
commit is kept under the version before it, which the commit has replaced. What nothing broadcasts (a
person's new name, a lesson unpublished) is at most ``KEEP_SECONDS`` late.

Records are the comment objects as their authors and editors see them;
``selectors.comment_for`` narrows each to its viewer, so a kept snapshot is
shared by everyone.
"""

import time
import uuid
from collections import OrderedDict
from typing import Any

from django.core.cache import cache

KEEP_SECONDS = 2.0
KEPT_THREADS = 256
VERSION_SECONDS = 24 * 3600

# page id -> (version, limit, when read, records, has more): on the database thread only.
_kept: "OrderedDict[int, tuple[str, int, float, list[dict[str, Any]], bool]]" = OrderedDict()


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
    if version is None:
        return read()
    kept = _kept.get(page_id)
    if kept is not None and kept[:2] == (version, limit) and time.monotonic() - kept[2] < KEEP_SECONDS:
        return kept[3], kept[4]
    records, has_more = read()  # read after the version: a change meanwhile replaces it
    _kept[page_id] = (version, limit, time.monotonic(), records, has_more)
    _kept.move_to_end(page_id)
    while len(_kept) > KEPT_THREADS:
        _kept.popitem(last=False)
    return records, has_more
