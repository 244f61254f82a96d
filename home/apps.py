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
