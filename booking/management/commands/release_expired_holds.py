"""Clear checkout holds whose time is up. The worker does this every five minutes (notifications.scheduled); this
command is for a run by hand. Lapsed holds already stopped counting at read time, so this only tidies the rows."""

from django.core.management.base import BaseCommand

from booking.backends import get_backend


class Command(BaseCommand):
    help = "Release checkout holds that have expired."

    def handle(self, *args, **options):
        released = get_backend().release_lapsed_holds()
        self.stdout.write(f"Released {released} expired checkout hold(s).")
