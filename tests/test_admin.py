"""The admin changes bookings only through the bookings port: contact details are the only editable fields, every
status change is a permission-checked action, bookings cannot be deleted, and canceling or moving a class session
cancels or moves its bookings (audited, customers emailed). Real database, the real engine, the admin through
Django's test client."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse

from booking import models
from booking.port import ContactDetails, CreateBookingRequest, Slot
from booking.schedules import sync_service_sessions
from tests.catalog import (
    ANSWERS,
    NOW,
    make_business,
    make_class,
    make_form,
    make_policy,
    make_service,
    make_staff,
    weekdays,
)
from tests.test_classes import class_request
from tests.test_manage import book

NY = ZoneInfo("America/New_York")
pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    make_business()
    make_policy(cancellation_enabled=True, reschedule_enabled=True, max_participants_per_booking=4)
    ana = make_staff("Ana", weekdays(time(9), time(17)))
    sam = make_staff("Sam", weekdays(time(8), time(21)))
    massage = make_service([ana], form=make_form())
    yoga = make_class(sam, [(2, time(18))], capacity=5)  # Wednesdays at 18:00
    return {"ana": ana, "massage": massage, "yoga": yoga}


@pytest.fixture
def boss(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


@pytest.fixture
def viewer(client):
    """Staff who may look at bookings and sessions but not change them."""
    user = User.objects.create_user("viewer", "viewer@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_booking", "view_classsession"]))
    client.force_login(user)
    return client


def massage_at(engine, studio, day=4, hour=9):
    return book(engine, studio["massage"], datetime(2026, 3, day, hour, tzinfo=NY), studio["ana"])


def row(booking):
    return models.Booking.objects.get(public_id=booking.id)


def act(client, action, *bookings):
    return client.post(reverse("admin:booking_booking_changelist"),
                       {"action": action, "_selected_action": [row(b).pk for b in bookings]}, follow=True)


def snapshot(booking):
    r = row(booking)
    return (r.status, r.payment_status, r.revision, r.start, r.end, r.session_id, r.any_staff, r.hold_expires_at,
            r.updated_at, models.BookingChange.objects.count())


# ---- the booking form --------------------------------------------------------------------------------------------


def test_only_the_contact_details_are_editable(boss, engine, studio):
    booking = massage_at(engine, studio)
    url = reverse("admin:booking_booking_change", args=[row(booking).pk])
    page = boss.get(url)
    form = page.context["adminform"].form
    assert set(form.fields) == {"first_name", "last_name", "email", "phone", "seen_revision"}
    assert f'name="seen_revision" value="{booking.revision}"' in page.content.decode()
    other_session = models.ClassSession.objects.filter(service=studio["yoga"]).first()
    before = snapshot(booking)
    # A forged form that also sends the fields shown read-only: they are ignored; only the phone changes.
    response = boss.post(url, {
        "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "+1 555 0111",
        "seen_revision": booking.revision, "session": other_session.pk, "any_staff": "on",
        "hold_expires_at_0": "2030-01-01", "hold_expires_at_1": "00:00:00", "status": "CANCELED",
        "payment_status": "PAID", "start_0": "2026-03-05", "start_1": "09:00:00",
        "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    after = row(booking)
    assert after.phone == "+1 555 0111"
    assert (after.status, after.payment_status, after.start, after.session_id, after.any_staff,
            after.hold_expires_at) == (before[0], before[1], before[3], before[5], before[6], before[7])
    change = after.changes.last()
    assert (change.event, change.actor, change.reason) == ("updated", "staff", "details edited: phone")


def test_bookings_cannot_be_deleted(boss, engine, studio):
    booking = massage_at(engine, studio)
    listing = boss.get(reverse("admin:booking_booking_changelist"))
    choices = dict(listing.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in choices
    assert boss.get(reverse("admin:booking_booking_delete", args=[row(booking).pk])).status_code == 403
    before = snapshot(booking)
    act(boss, "delete_selected", booking)
    assert snapshot(booking) == before


# ---- the actions -------------------------------------------------------------------------------------------------


def test_staff_cancel_with_or_without_refund_through_the_port(boss, engine, studio, django_capture_on_commit_callbacks):
    # A day ahead: inside no customer window, but staff are not held to the cancellation policy.
    plain, refunded = massage_at(engine, studio, 2, 9), massage_at(engine, studio, 2, 11)
    with django_capture_on_commit_callbacks(execute=True):
        assert "Canceled 1 booking(s)." in act(boss, "cancel_selected", plain).content.decode()
        assert "Canceled with refund 1 booking(s)." in act(
            boss, "cancel_with_refund_selected", refunded).content.decode()
    for booking, reason in ((plain, ""), (refunded, "with refund")):
        change = row(booking).changes.last()
        assert (row(booking).status, change.event, change.actor, change.reason) == (
            "CANCELED", "canceled", "staff", reason)
    assert [m.subject for m in mail.outbox[-2:]] == ["Your booking is canceled: Massage"] * 2
    # A booking canceled already is refused with a message and stays as it is.
    before = snapshot(plain)
    assert "cannot be canceled" in act(boss, "cancel_selected", plain).content.decode()
    assert snapshot(plain) == before


def test_staff_mark_a_request_as_pending_and_decline_it(boss, engine, studio):
    studio["massage"].require_manual_approval = True
    studio["massage"].save()
    request = engine.create_booking(CreateBookingRequest(
        slot=Slot(str(studio["massage"].pk), datetime(2026, 3, 4, 9, tzinfo=NY), datetime(2026, 3, 4, 10, tzinfo=NY),
                  "America/New_York"),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE"))
    assert "Marked as pending 1 booking(s)." in act(boss, "mark_pending_selected", request).content.decode()
    assert row(request).status == "PENDING"
    assert "Declined 1 booking(s)." in act(boss, "decline_selected", request).content.decode()
    assert [c.event for c in row(request).changes.all()][-2:] == ["marked_as_pending", "declined"]


def test_view_only_staff_see_no_actions_and_a_forged_one_does_nothing(viewer, engine, studio):
    booking = massage_at(engine, studio)
    listing = viewer.get(reverse("admin:booking_booking_changelist"))
    assert listing.status_code == 200
    assert "action_form" not in listing.context or listing.context["action_form"] is None
    before = snapshot(booking)
    for action in ("confirm_selected", "decline_selected", "mark_pending_selected", "cancel_selected",
                   "cancel_with_refund_selected", "mark_paid_in_person", "delete_selected"):
        act(viewer, action, booking)
        assert snapshot(booking) == before, action
    change_url = reverse("admin:booking_booking_change", args=[row(booking).pk])
    assert viewer.get(change_url).status_code == 200  # they may look
    assert viewer.post(change_url, {"phone": "+1 555 0111", "seen_revision": booking.revision}).status_code == 403
    assert snapshot(booking) == before


def test_staff_with_the_change_permission_get_the_actions(client, engine, studio):
    user = User.objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_booking", "change_booking"]))
    client.force_login(user)
    choices = dict(client.get(reverse("admin:booking_booking_changelist")).context["action_form"]
                   .fields["action"].choices)
    assert {"confirm_selected", "decline_selected", "mark_pending_selected", "cancel_selected",
            "cancel_with_refund_selected", "mark_paid_in_person"} <= choices.keys()
    assert "delete_selected" not in choices


# ---- class sessions ----------------------------------------------------------------------------------------------


def session_form(session, **changes):
    values = {"service": session.service_id, "start_0": "", "start_1": "", "end_0": "", "end_1": "",
              "staff": session.staff_id or "", "location": session.location_id or "", "capacity": session.capacity,
              "cancelled": "on" if session.cancelled else "", "detached": "on" if session.detached else ""}
    for name in ("start", "end"):
        local = changes.pop(name, getattr(session, name)).astimezone(ZoneInfo("UTC"))  # the admin's TIME_ZONE
        values[f"{name}_0"], values[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
    values.update(changes)
    return {key: value for key, value in values.items() if value != ""}


@pytest.fixture
def booked_session(engine, studio):
    session = models.ClassSession.objects.filter(service=studio["yoga"]).order_by("start").first()
    one = engine.confirm_or_decline_booking(engine.create_booking(class_request(str(session.public_id),
                                                                                studio["yoga"])).id,
                                            payment_status="NOT_PAID")
    two = engine.confirm_or_decline_booking(engine.create_booking(
        class_request(str(session.public_id), studio["yoga"], participants=2, email="bo@example.com")).id,
        payment_status="NOT_PAID")
    gone = engine.create_booking(class_request(str(session.public_id), studio["yoga"], email="cy@example.com"))
    engine.decline_booking(gone.id, revision=gone.revision)
    return session, [one, two], gone


def test_canceling_a_session_cancels_its_bookings(boss, booked_session, django_capture_on_commit_callbacks):
    session, active, gone = booked_session
    url = reverse("admin:booking_classsession_change", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = boss.post(url, session_form(session, cancelled="on"), follow=True)
    assert "2 booking(s) of this session canceled" in page.content.decode()
    session.refresh_from_db()
    assert session.cancelled
    assert not models.Booking.objects.filter(session=session, status__in=["CONFIRMED", "PENDING", "CREATED"])
    for booking in active:
        change = row(booking).changes.last()
        assert (change.event, change.actor, change.reason) == ("canceled", "staff", "with refund")
    assert row(gone).status == "DECLINED" and row(gone).changes.last().event == "declined"
    assert sorted(m.to[0] for m in mail.outbox if m.subject == "Your booking is canceled: Yoga") == [
        "ada@example.com", "bo@example.com"]


def test_moving_a_session_moves_its_bookings(boss, booked_session, django_capture_on_commit_callbacks):
    session, active, gone = booked_session
    models.Service.objects.filter(pk=session.service_id).update(require_manual_approval=True)
    later = session.start + timedelta(hours=1)
    url = reverse("admin:booking_classsession_change", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = boss.post(url, session_form(session, start=later, end=later + timedelta(hours=1)), follow=True)
    assert "2 booking(s) of this session moved to the new time" in page.content.decode()
    session.refresh_from_db()
    assert (session.start, session.end, session.detached) == (later, later + timedelta(hours=1), True)
    for booking in active:
        moved = row(booking)
        # Still confirmed: a move the business made needs no new approval.
        assert (moved.start, moved.end, moved.session_id, moved.status) == (session.start, session.end, session.pk,
                                                                            "CONFIRMED")
        change = moved.changes.last()
        assert (change.event, change.actor, change.revision) == ("rescheduled", "staff", booking.revision + 1)
        assert change.reason == f"from {booking.start_date.isoformat()}"
    assert row(gone).start == gone.start_date  # a declined booking stays as it was
    assert sorted(m.to[0] for m in mail.outbox if m.subject == "Your booking has moved: Yoga") == [
        "ada@example.com", "bo@example.com"]


def test_a_weekly_rule_moved_later_takes_its_sessions_bookings_along(booked_session, studio):
    session, active, _ = booked_session
    rule = session.rule
    rule.start_time = time(19)
    rule.save()
    sync_service_sessions(studio["yoga"], NOW.date())
    session.refresh_from_db()
    assert session.start.astimezone(NY).time() == time(19)
    for booking in active:
        assert (row(booking).start, row(booking).changes.last().event) == (session.start, "rescheduled")
