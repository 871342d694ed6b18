"""Clear checkout holds whose time is up. Run it from cron (every few minutes); lapsed holds already stopped
counting at read time, so this only tidies the rows."""

from django.core.management.base import BaseCommand

from booking.backends.local import LocalEngine


class Command(BaseCommand):
    help = "Release checkout holds that have expired."

    def handle(self, *args, **options):
        released = LocalEngine().release_lapsed_holds()
        self.stdout.write(f"Released {released} expired checkout hold(s).")
