"""The worker: django-tasks-db's db_worker on every queue, after making sure the scheduled work is ticking.

    python manage.py run_worker             # production (systemd, Procfile); run one or several
    python manage.py run_worker --batch     # run what is due now, then stop

It sends the outbox's emails, asks Stripe for refunds, and drives the scheduled jobs (notifications.scheduled):
reminders, pending notices, releasing lapsed checkout holds, extending class schedules.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.tasks import ensure_next_tick


class Command(BaseCommand):
    help = "Run the background worker (all queues) and the scheduled jobs it drives."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Stop once no task is due.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at the queue.")

    def handle(self, *args, batch=False, interval=1.0, **options):
        ensure_next_tick(timezone.now())
        call_command("db_worker", queue_name="*", batch=batch, interval=interval, verbosity=options["verbosity"])
