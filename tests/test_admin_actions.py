"""Staff's one-booking actions in the admin (booking.admin_actions): reschedule to a free time or, with the force
permission, past availability; change a class booking's participants; cancel with a refund or waiving the fee; and
the bulk cancel that does only what the port's Bulk Calculate Allowed Actions allows. Each is refused without its
permission and, when done, is audited and emails the customer. Real engine, the admin through the test client."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse

from booking import models
from tests import test_admin
from tests.test_admin import NY, act, massage_at, row, snapshot

# The fixtures of tests/test_admin.py, shared.
boss, booked_session, studio = test_admin.boss, test_admin.booked_session, test_admin.studio

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


def staff_user(client, *codenames):
    user = User.objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_booking", *codenames]))
    client.force_login(user)
    return client


def url(name, booking):
    return reverse(f"admin:booking_booking_{name}", args=[row(booking).pk])


def test_reschedule_to_a_free_time_the_port_lists(boss, engine, studio, django_capture_on_commit_callbacks):
    booking = massage_at(engine, studio, day=4, hour=9)
    page = boss.get(url("reschedule", booking))
    choices = dict(page.context["form"].fields["time"].choices)
    later = datetime(2026, 3, 4, 11, tzinfo=NY)
    starts = {datetime.fromisoformat(v.split("|")[0]): v for v in choices if v}
    value = starts[later]
    assert datetime(2026, 3, 4, 9, tzinfo=NY) not in starts  # its own time is not free
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(url("reschedule", booking), {"time": value, "revision": booking.revision})
    assert response.status_code == 302
    moved = row(booking)
    assert (moved.start, moved.status, moved.skip_availability_validation) == (later, "CONFIRMED", False)
    change = moved.changes.last()
    assert (change.event, change.actor) == ("rescheduled", "staff")
    assert [m.subject for m in mail.outbox] == ["Your booking has moved: Massage"]


def test_forcing_a_taken_time_needs_the_force_permission(client, engine, studio):
    booking, other = massage_at(engine, studio, day=4, hour=9), massage_at(engine, studio, day=4, hour=11)
    desk = staff_user(client, "change_booking")
    page = desk.get(url("reschedule", booking))
    assert "forced_start" not in page.context["form"].fields
    before = snapshot(booking)
    # A forged forced start is ignored without the permission: nothing to move to, nothing changes.
    page = desk.post(url("reschedule", booking), {"forced_start": "2026-03-04 11:00", "revision": booking.revision})
    assert page.status_code == 200 and "Choose a free time." in page.content.decode()
    assert snapshot(booking) == before

    user = User.objects.get(username="desk")
    user.user_permissions.add(Permission.objects.get(codename="force_booking"))
    page = desk.get(url("reschedule", booking))
    assert "forced_start" in page.context["form"].fields
    response = desk.post(url("reschedule", booking), {"forced_start": "2026-03-04 11:00",
                                                     "revision": booking.revision})
    assert response.status_code == 302
    moved = row(booking)
    assert (moved.start, moved.skip_availability_validation) == (row(other).start, True)  # both kept
    assert moved.changes.last().event == "rescheduled"


def test_actions_are_refused_without_the_change_permission(client, engine, studio):
    booking = massage_at(engine, studio)
    viewer = staff_user(client)
    before = snapshot(booking)
    for name, data in (("reschedule", {"forced_start": "2026-03-04 11:00"}), ("participants",
                                                                             {"total_participants": 2}),
                       ("cancel", {"with_refund": "on"})):
        assert viewer.get(url(name, booking)).status_code == 403, name
        assert viewer.post(url(name, booking), {**data, "revision": booking.revision}).status_code == 403, name
    assert snapshot(booking) == before
    page = viewer.get(url("change", booking))
    assert page.context["booking_actions"] == []


def test_outside_the_policy_only_force_staff_get_reschedule_and_cancel(client, engine, studio):
    # Starting within the hour: the customer's windows are shut, so the port allows neither.
    models.BookingPolicy.objects.update(limit_latest_cancellation=True, latest_cancellation_in_minutes=60 * 24 * 7,
                                        limit_latest_reschedule=True, latest_reschedule_in_minutes=60 * 24 * 7)
    booking = massage_at(engine, studio, day=4, hour=9)
    desk = staff_user(client, "change_booking")
    assert desk.get(url("change", booking)).context["booking_actions"] == []
    assert desk.get(url("reschedule", booking)).status_code == 403
    assert desk.post(url("cancel", booking), {"revision": booking.revision}).status_code == 403
    User.objects.get(username="desk").user_permissions.add(Permission.objects.get(codename="force_booking"))
    labels = [label for label, _ in desk.get(url("change", booking)).context["booking_actions"]]
    assert labels == ["Reschedule", "Cancel"]


def test_cancel_waiving_the_fee_with_a_refund(boss, engine, studio, django_capture_on_commit_callbacks):
    booking = massage_at(engine, studio)
    form = boss.get(url("cancel", booking)).context["form"]
    assert {"with_refund", "waive_cancellation_fee"} <= set(form.fields)
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(url("cancel", booking), {"with_refund": "on", "waive_cancellation_fee": "on",
                                                     "revision": booking.revision})
    assert response.status_code == 302
    change = row(booking).changes.last()
    assert (row(booking).status, change.event, change.actor, change.reason) == (
        "CANCELED", "canceled", "staff", "with refund")
    assert [m.subject for m in mail.outbox] == ["Your booking is canceled: Massage"]
    # A stale revision is refused with the port's message, nothing changes.
    before = snapshot(booking)
    page = boss.post(url("cancel", booking), {"revision": booking.revision})
    assert page.status_code == 200 and snapshot(booking) == before


def test_change_the_participants_of_a_class_booking(boss, booked_session, django_capture_on_commit_callbacks):
    _, (one, _two), _ = booked_session
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(url("participants", one), {"total_participants": 3, "revision": one.revision})
    assert response.status_code == 302
    assert (row(one).total_participants, row(one).changes.last().event) == (3, "number_of_participants_updated")
    assert [m.subject for m in mail.outbox][-1] == "Your booking has changed: Yoga"
    # More than the session has left (5 places, 2 + 3 taken): refused with the port's message.
    page = boss.post(url("participants", one), {"total_participants": 4, "revision": row(one).revision})
    assert page.status_code == 200 and row(one).total_participants == 3


def test_reschedule_a_class_booking_to_another_session(boss, booked_session, studio):
    session, (one, _), _ = booked_session
    choices = dict(boss.get(url("reschedule", one)).context["form"].fields["time"].choices)
    assert str(session.public_id) not in choices
    nxt = models.ClassSession.objects.filter(service=studio["yoga"], start__gt=session.start).order_by("start")[0]
    assert boss.post(url("reschedule", one), {"time": str(nxt.public_id), "revision": one.revision}).status_code == 302
    assert row(one).session_id == nxt.pk


def test_bulk_cancel_does_only_what_the_port_allows(boss, engine, studio):
    models.BookingPolicy.objects.update(limit_latest_cancellation=True, latest_cancellation_in_minutes=60 * 24 * 2)
    soon, later = massage_at(engine, studio, day=2, hour=9), massage_at(engine, studio, day=6, hour=9)
    page = act(boss, "cancel_allowed_selected", soon, later).content.decode()
    assert "1 booking(s) left as they are" in page and "Canceled 1 booking(s)." in page
    assert (row(soon).status, row(later).status) == ("CONFIRMED", "CANCELED")
    assert row(later).changes.last().actor == "staff"
