from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.demo import load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo business. Safe to run again: it changes nothing the second time."

    def handle(self, *args, **options):
        business = load_demo(timezone.localdate())
        self.stdout.write(self.style.SUCCESS(f"Demo business ready: {business.name} ({business.time_zone})."))
