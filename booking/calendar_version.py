"""The calendar version: what keeps the availability cache (booking/backends/local/slot_cache.py) from ever serving a
listing that a change has made wrong.

Every change that can alter what a listing shows bumps one counter row in the same transaction: saving or deleting a
booking, a time off, working hours, a class session or its rule, a policy, a service (or its staff and places), a
staff member, a place or the business, through the model signals below; and the engine's few bulk writes that
bypass signals (lifecycle's hold releases, schedules' detached sessions) bump it themselves. A listing reads the
version once, before the data (with the business row), and is cached under it: a change committed after that read
leaves the entry under a version no later reader asks for, and one committed before it is in the data read.

The bump is an UPDATE of one row, so transactions that change availability queue on it until they commit. The
engine's writes take their staff or session locks first and write (and so bump) last, which keeps the order of
locks the same everywhere.
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

ROW = 1


def current() -> int:
    """The version now: one query."""
    from booking.models import CalendarVersion

    found = CalendarVersion.objects.filter(pk=ROW).values_list("version", flat=True).first()
    return found or 0


def bump(**_signal) -> None:
    """Move the version on, in the caller's transaction, and forget the version this request read (with the
    business row, booking/backends/local/catalog.py), so that a listing after the change reads the new one."""
    from booking.backends.request_cache import forget
    from booking.models import CalendarVersion

    forget(("business",))

    if not CalendarVersion.objects.filter(pk=ROW).update(version=F("version") + 1):
        # No row yet (a database flushed by a test); the migration makes it. Made at 1: readers saw 0.
        _, made = CalendarVersion.objects.get_or_create(pk=ROW, defaults={"version": 1})
        if not made:
            CalendarVersion.objects.filter(pk=ROW).update(version=F("version") + 1)


def connect() -> None:
    """Bump on every save and delete of what availability is made of (from BookingConfig.ready)."""
    from booking import models

    on_every_change(bump, "calendar_version", (
        models.Booking, models.TimeOff, models.WorkingHours, models.ClassSession, models.ScheduleRule,
        models.BookingPolicy, models.Service, models.StaffMember, models.Location, models.Business))


def on_every_change(receiver, name: str, senders) -> None:
    """Call `receiver()` on every save and delete of `senders`, and on every change to a service's staff and places
    (the links themselves send no save). `name` keeps the connections unique (dispatch_uid)."""
    from booking import models

    def links_changed(action, **_signal):
        if action in ("post_add", "post_remove", "post_clear"):
            receiver()

    for model in senders:
        uid = f"{name}:{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}:delete")
    for through in (models.Service.staff.through, models.Service.locations.through):
        # weak=False: the receiver is made here and nothing else holds it
        m2m_changed.connect(links_changed, sender=through, dispatch_uid=f"{name}:{through.__name__}", weak=False)
