from django.core.management.base import BaseCommand

from home.demo import load_demo


class Command(BaseCommand):
    help = "Load demo people, pairs and posts. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        created = load_demo()
        summary = ", ".join(f"{count} {name}" for name, count in created.items()) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded ({summary} created)."))
