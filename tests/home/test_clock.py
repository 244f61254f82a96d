"""The clock and scheduled publishing, in this process: once per period, and what readers then see."""

import threading
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import connection

from wagtail.models import PageLogEntry

import pytest
from taggit.models import Tag

from home import tasks
from home.clock import clock_tick
from home.models import PeriodicJobRun
from learning.selectors import personal_stream
from learning.services import topic_follow
from site.page_cache import SITE_VERSION_KEY
from site.scheduler import register_periodic_job
from tests.home.scheduling import post_expired, post_scheduled_in_the_past

pytestmark = pytest.mark.django_db

MONDAY_0700 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _publish_log_count(page) -> int:
    return PageLogEntry.objects.filter(page=page, action="wagtail.publish.scheduled").count()


def test_a_period_is_claimed_once_and_a_late_period_only_within_its_catch_up():
    job = register_periodic_job("test-weekly", task=tasks.task_results_prune, cron="0 7 * * 1")
    try:
        assert job.latest_period(MONDAY_0700 + timedelta(days=2)) == MONDAY_0700
        assert job.latest_period(MONDAY_0700) == MONDAY_0700  # the exact time is its own period

        # The prune task runs at once on the test settings' immediate backend.
        assert "test-weekly" in clock_tick(now=MONDAY_0700 + timedelta(minutes=30))
        assert "test-weekly" not in clock_tick(now=MONDAY_0700 + timedelta(minutes=31))
        assert PeriodicJobRun.objects.get(name="test-weekly").last_period == MONDAY_0700
        # A week later, two hours late: past the default catch-up of an hour, so skipped.
        assert "test-weekly" not in clock_tick(now=MONDAY_0700 + timedelta(days=7, hours=2))
    finally:
        register_periodic_job("test-weekly", task=tasks.task_results_prune, cron="0 7 * * 1", catch_up=None)
        from site import scheduler

        scheduler._jobs.pop("test-weekly")


def test_invalid_schedules_are_refused():
    with pytest.raises(ValueError, match="not a cron schedule"):
        register_periodic_job("broken", task=tasks.task_results_prune, cron="every minute")


def test_a_scheduled_post_goes_live_and_an_expired_one_goes_for_followers_feeds_and_the_cache(
    client, blog_index, pair, staff, django_capture_on_commit_callbacks
):
    scheduled = post_scheduled_in_the_past(
        parent=blog_index, pair=pair, title="Scheduled pairing notes", tags=["Scheduling"]
    )
    expired = post_expired(
        parent=blog_index, pair=pair, title="Yesterday's office hours", tags=["Scheduling"]
    )
    tag = Tag.objects.get(name="Scheduling")
    topic_follow(user=staff, tag=tag)
    feed_url = f"/topics/{tag.slug}/feed/"

    def stream_titles():
        return {entry.page.title for entry in personal_stream(user=staff).entries}

    assert stream_titles() == {"Yesterday's office hours"}
    assert "Scheduled pairing notes" not in client.get(feed_url).content.decode()
    cache.set(SITE_VERSION_KEY, "before")

    with django_capture_on_commit_callbacks(execute=True):
        tasks.scheduled_publish.call()

    scheduled.refresh_from_db()
    expired.refresh_from_db()
    assert scheduled.live and not expired.live and expired.expired
    assert stream_titles() == {"Scheduled pairing notes"}
    feed = client.get(feed_url).content.decode()
    assert "Scheduled pairing notes" in feed and "office hours" not in feed
    assert cache.get(SITE_VERSION_KEY) != "before"  # the page cache was purged

    # Run again (a retry, a second worker): nothing more happens.
    tasks.scheduled_publish.call()
    assert _publish_log_count(scheduled) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clocks_and_two_runs_at_once_enqueue_once_and_publish_once(requires_postgres, blog_index, pair):
    """On PostgreSQL, where two workers really run side by side: the claim and the lock hold."""
    post = post_scheduled_in_the_past(parent=blog_index, pair=pair, title="Raced", tags=["Races"])
    now = datetime.now(UTC)
    barrier = threading.Barrier(2)
    enqueued: list[list[str]] = []

    def clock_and_run():
        try:
            barrier.wait()
            names = clock_tick(now=now)  # the immediate backend runs scheduled_publish inside
            enqueued.append(names)
            barrier.wait()
            tasks.scheduled_publish.call()
        finally:
            connection.close()

    threads = [threading.Thread(target=clock_and_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(tasks.PUBLISH_SCHEDULED in names for names in enqueued) == [False, True]
    post.refresh_from_db()
    assert post.live and _publish_log_count(post) == 1
