"""Who is reading a thread, counted per person across tabs and processes.

Each signed-in connection keeps a ``Presence`` row (the database is shared by
every daphne process) and refreshes it every ``HEARTBEAT_SECONDS``; rows not
refreshed for ``EXPIRY_SECONDS`` belong to a process that died and are
ignored, then swept.
"""

from datetime import timedelta

from django.utils import timezone

from blog.models import display_name
from blog.threads.models import Presence

HEARTBEAT_SECONDS = 30
EXPIRY_SECONDS = 90


def presence_join(*, page_id: int, user, channel_name: str) -> None:
    Presence.objects.update_or_create(
        channel_name=channel_name, defaults={"page_id": page_id, "user": user, "seen": timezone.now()}
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


def presence_summary(*, page_id: int) -> dict:
    """``{"count": n, "users": [display names]}`` of the people here now."""
    return presence_summaries(page_ids=[page_id])[page_id]


def presence_summaries(*, page_ids) -> dict[int, dict]:
    """``presence_summary`` of several threads, in one query."""
    since = timezone.now() - timedelta(seconds=EXPIRY_SECONDS)
    rows = Presence.objects.filter(page_id__in=list(page_ids), seen__gte=since).select_related("user")
    people: dict[int, dict[int, str]] = {page_id: {} for page_id in page_ids}
    for row in rows:
        people[row.page_id][row.user_id] = display_name(row.user)
    return {
        page_id: {"count": len(names), "users": sorted(names.values(), key=str.casefold)}
        for page_id, names in people.items()
    }
