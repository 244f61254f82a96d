"""The site's own periodic tasks: scheduled publishing, and keeping the task table small."""

import io

from django.core.management import call_command

from django_tasks import task

from home.clock import periodic_job_lock

PUBLISH_SCHEDULED = "publish-scheduled"
PRUNE_TASK_RESULTS = "prune-task-results"
SUCCESSFUL_RESULTS_KEPT_DAYS = 14
FAILED_RESULTS_KEPT_DAYS = 30


@task()
def scheduled_publish() -> str:
    """Wagtail's ``publish_scheduled``: what is due goes live, what has expired is unpublished.

    Idempotent: the runs never overlap (the job's row lock), and each
    publishes only revisions still approved to go live and unpublishes only
    what is still live, so a second run finds nothing to do. Publishing sends
    Wagtail's ``page_published`` signal, which purges the page cache
    (site.page_cache) once the transaction commits; streams and feeds are read
    from the live pages.
    """
    output = io.StringIO()
    with periodic_job_lock(PUBLISH_SCHEDULED):
        call_command("publish_scheduled", stdout=output)
    return output.getvalue()


@task()
def task_results_prune() -> str:
    """Delete finished task results: successful ones after two weeks, failed ones after a month.

    Registered on the database backend only, which keeps every result (RQ
    expires its own). Idempotent: what is gone stays gone.
    """
    output = io.StringIO()
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=SUCCESSFUL_RESULTS_KEPT_DAYS,
        failed_min_age_days=FAILED_RESULTS_KEPT_DAYS,
        stdout=output,
    )
    return output.getvalue()
