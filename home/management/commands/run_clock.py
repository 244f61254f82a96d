"""``manage.py run_clock``: the periodic-job clock on its own (home.clock).

``--once`` ticks once and exits, for a cron line run every minute beside
workers started with ``run_worker --no-clock``::

    * * * * *  cd /srv/pairwise && .venv/bin/python manage.py run_clock --once

Any number of clocks may run: each period is enqueued once.
"""

import threading

from django.core.management.base import BaseCommand

from home.clock import clock_run, clock_tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due (once per period, however many clocks run)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Tick once and exit.")

    def handle(self, *args, once: bool, **options):
        if once:
            for name in clock_tick():
                self.stdout.write(f"enqueued {name}")
            return
        stop = threading.Event()
        try:
            clock_run(stop=stop)
        except KeyboardInterrupt:
            stop.set()
