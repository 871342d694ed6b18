"""Keep a year of class sessions ahead of today. The worker does this daily (notifications.scheduled); this command
is for a run by hand."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.schedules import extend_all


class Command(BaseCommand):
    help = "Make class and course sessions from their weekly rules, a year ahead."

    def handle(self, *args, **options):
        count = extend_all(timezone.localdate())
        self.stdout.write(f"Sessions brought up to date for {count} class and course service(s).")
