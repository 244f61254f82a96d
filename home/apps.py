from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class HomeConfig(AppConfig):
    name = "home"

    def ready(self) -> None:
        from home import tasks
        from site.scheduler import register_periodic_job

        register_periodic_job(tasks.PUBLISH_SCHEDULED, task=tasks.scheduled_publish, cron="* * * * *")
        if settings.TASKS_BACKEND == "db":
            register_periodic_job(
                tasks.PRUNE_TASK_RESULTS, task=tasks.task_results_prune, cron="30 3 * * *", catch_up=None
            )
        # A digest or a reminder is still worth sending later that day; not a day after.
        register_periodic_job(
            tasks.WEEKLY_DIGEST, task=tasks.digest_send_due, cron="0 7 * * 1", catch_up=timedelta(hours=12)
        )
        register_periodic_job(
            tasks.REVIEW_REMINDERS,
            task=tasks.review_reminders_send,
            cron="0 7 * * *",
            catch_up=timedelta(hours=12),
        )
