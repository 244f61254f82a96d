from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class HomeConfig(AppConfig):
    name = "home"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from home import tasks, webhook_events
        from learning.request_events import request_answered, request_opened
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
        register_periodic_job(
            tasks.CHAT_QUESTIONS_WAITING, task=tasks.chat_questions_waiting_send, cron="15 * * * *"
        )
        # Chat webhooks hear of posts and lessons going live, and of requests opened and answered.
        page_published.connect(
            webhook_events.page_published_received, dispatch_uid="home.webhooks.page_published", weak=False
        )
        request_opened.connect(
            webhook_events.request_opened_received, dispatch_uid="home.webhooks.request_opened"
        )
        request_answered.connect(
            webhook_events.request_answered_received, dispatch_uid="home.webhooks.request_answered"
        )
