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

from typing import Any

from site.kept import KeptReads, cache_version, replace_version

KEEP_SECONDS = 2.0
KEPT_THREADS = 256

_kept = KeptReads(seconds=KEEP_SECONDS, size=KEPT_THREADS)


def _key(page_id: int) -> str:
    return f"threads:snapshot-version:{page_id}"


def thread_moved(page_id: int) -> None:
    """Mark ``page_id``'s thread as changed: kept snapshots of it are read again."""
    replace_version(_key(page_id))


def thread_version(page_id: int) -> str | None:
    """The thread's current version, made if there is none; None when the cache is unreachable."""
    return cache_version(_key(page_id))


def kept_records(page_id: int, limit: int, read) -> tuple[list[dict[str, Any]], bool]:
    """``read()`` (records, has more) for the thread, or what it gave under the same version lately."""
    version = thread_version(page_id)
    return _kept.get(page_id, None if version is None else (version, limit), read)
