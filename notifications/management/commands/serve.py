"""Development: the web server and a worker in one command (`make run`). The worker is a child process next to
runserver and is stopped with it."""

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV


class Command(BaseCommand):
    help = "Run runserver and the background worker together (development)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":  # runserver's reloaded child: the parent has the worker
            call_command("runserver", addrport)
            return
        worker = subprocess.Popen([sys.executable, sys.argv[0], "run_worker"])  # noqa: S603 (our own manage.py)
        # Stopped by SIGTERM too (not only Ctrl-C), the finally below still stops the worker.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", addrport)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
