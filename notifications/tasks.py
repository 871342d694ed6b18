"""The tasks the worker (`manage.py run_worker`, django-tasks-db's db_worker) runs."""

from datetime import timedelta

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from . import outbox, scheduled


@task(queue_name="emails")
def deliver(message_pk: int) -> str:
    return outbox.deliver(message_pk)


@task
def run_scheduled() -> dict:
    """Run the scheduled jobs that are due, then make sure the next tick is queued."""
    try:
        return scheduled.run_due()
    finally:
        ensure_next_tick(timezone.now() + timedelta(seconds=settings.NOTIFY_TICK_SECONDS))


def ensure_next_tick(run_after) -> bool:
    """Queue a run_scheduled unless one is queued already (so ticks do not multiply with workers or restarts)."""
    if not run_scheduled.get_backend().supports_defer:
        return False
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=run_scheduled.module_path).exists()
    if queued:
        return False
    run_scheduled.using(run_after=run_after).enqueue()
    return True
