from django.core.management.base import BaseCommand

from home.services import site_bootstrap


class Command(BaseCommand):
    help = "Create the home page, blog index and page permissions (idempotent)."

    def handle(self, *args, **options):
        home = site_bootstrap()
        self.stdout.write(self.style.SUCCESS(f"Site ready: home page {home.title!r}."))
