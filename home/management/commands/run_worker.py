"""``manage.py run_worker``: one task worker for the configured backend, with the clock beside it.

The worker is the backend's own: django-tasks-db's ``db_worker`` (all
queues) or django-rq's ``rqworker`` with django-tasks-rq's job class and RQ's
scheduler (which runs deferred tasks and retries when due). The clock
(home.clock) ticks in a thread of the same process; ``--no-clock`` leaves it
out, for workers whose periodic jobs cron runs (``run_clock --once``).
``--batch`` ticks once, runs every task that is ready, and exits: for tests
and one-off runs. Ctrl+C or SIGTERM lets the running task finish, then stops.
"""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from home.clock import clock_run, clock_tick


class Command(BaseCommand):
    help = "Run a background task worker (TASKS_BACKEND) with the periodic-job clock."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Tick once, run the ready tasks, then exit.")
        parser.add_argument("--no-clock", action="store_true", help="Run no clock in this worker.")

    def handle(self, *args, batch: bool, no_clock: bool, verbosity: int, **options):
        backend = settings.TASKS_BACKEND
        if backend == "immediate":
            raise CommandError("TASKS_BACKEND=immediate runs tasks as they are enqueued: there is no queue.")
        stop = threading.Event()
        if not no_clock:
            if batch:
                clock_tick()
            else:
                threading.Thread(target=clock_run, kwargs={"stop": stop}, name="clock", daemon=True).start()
        try:
            if backend == "db":
                call_command(
                    "db_worker",
                    queue_name="*",
                    batch=batch,
                    reload=False,
                    startup_delay=not batch,
                    verbosity=verbosity,
                )
            else:
                call_command(
                    "rqworker",
                    *settings.RQ_QUEUES,
                    job_class="django_tasks_rq.Job",
                    with_scheduler=True,
                    burst=batch,
                    verbosity=verbosity,
                )
        finally:
            stop.set()
