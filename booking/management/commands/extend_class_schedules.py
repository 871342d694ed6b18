"""Keep a year of class sessions ahead of today (run daily from cron; `make run` runs it at start)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.schedules import extend_all


class Command(BaseCommand):
    help = "Make class and course sessions from their weekly rules, a year ahead."

    def handle(self, *args, **options):
        count = extend_all(timezone.localdate())
        self.stdout.write(f"Sessions brought up to date for {count} class and course service(s).")
