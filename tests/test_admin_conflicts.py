"""Double bookings end to end: a payment that arrives after the time was taken confirms the booking double-booked
(Wix's rule) and emails the business; the admin's conflicts list shows it beside the booking it collides with; staff
settle it by moving one, canceling one (the customer is emailed) or keeping both. Real engine, the Stripe webhook
and the admin through Django's test client."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking import models
from booking.port import ContactDetails, CreateBookingRequest, Slot
from notifications.models import Message
from tests.catalog import ANSWERS
from tests.test_payments_helpers import NY, book, event_body, held_checkout, make_studio, post_event

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]

CONFLICTS = reverse("admin:booking_booking_conflicts")


def row(booking):
    return models.Booking.objects.get(public_id=booking.id)


@pytest.fixture
def conflict(client, engine, django_capture_on_commit_callbacks):
    """Ada paid at 9:00 on 2 March after her hold lapsed and Bo had booked and paid for the same time."""
    studio = make_studio()
    models.Business.objects.update(email="desk@studio.example")
    late = book(engine, studio["massage"])
    checkout = held_checkout(engine, late)
    with time_machine.travel(timezone.now() + timedelta(minutes=40), tick=False):
        rival = engine.create_booking(_request(studio["massage"]))
        rival = engine.confirm_or_decline_booking(rival.id, payment_status="PAID")
        with django_capture_on_commit_callbacks(execute=True):
            assert post_event(client, event_body("checkout.session.async_payment_succeeded", checkout)).status_code \
                == 200
    assert (row(late).status, row(late).double_booked) == ("CONFIRMED", True)
    return studio, late, rival


def _request(service):
    start = datetime(2026, 3, 2, 9, tzinfo=NY)
    return CreateBookingRequest(
        slot=Slot(str(service.pk), start, start + timedelta(minutes=service.duration_minutes), "America/New_York"),
        contact_details=ContactDetails("Bo", "Rival", "bo@example.com"),
        form_submission={**ANSWERS, "email": "bo@example.com"},
        selected_payment_option="ONLINE")


def staff(*codenames, superuser=False):
    client = Client()
    if superuser:
        user = User.objects.create_superuser("boss", "boss@example.com", "pw")
    else:
        user = User.objects.create_user("-".join(codenames), "desk@example.com", "pw", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def listed(client):
    return [(b.public_id, [o.public_id for o in others]) for b, others in client.get(CONFLICTS).context["conflicts"]]


def test_the_business_is_emailed_and_the_conflict_is_listed(conflict):
    _, late, rival = conflict
    assert list(Message.objects.filter(kind="business_double_booked").values_list("booking_id", "recipient")) == [
        (late.id, "desk@studio.example")]
    boss = staff(superuser=True)
    assert listed(boss) == [(row(late).public_id, [row(rival).public_id])]
    page = boss.get(CONFLICTS).content.decode()
    assert reverse("admin:booking_booking_keep_both", args=[row(late).pk]) in page


def test_staff_move_the_late_booking_to_a_free_time(conflict, django_capture_on_commit_callbacks):
    studio, late, _ = conflict
    boss = staff(superuser=True)
    choices = dict(boss.get(reverse("admin:booking_booking_reschedule", args=[row(late).pk]))
                   .context["form"].fields["time"].choices)
    ten = datetime(2026, 3, 2, 10, tzinfo=NY)
    value = next(v for v in choices if v and datetime.fromisoformat(v.split("|")[0]) == ten)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert boss.post(reverse("admin:booking_booking_reschedule", args=[row(late).pk]),
                         {"time": value, "revision": row(late).revision}).status_code == 302
    moved = row(late)
    assert (moved.start, moved.double_booked, moved.changes.last().event) == (ten, False, "rescheduled")
    assert [(m.subject, m.to) for m in mail.outbox] == [("Your booking has moved: Massage", ["ada@example.com"])]
    assert listed(boss) == []


def test_staff_cancel_the_rival_booking(conflict, django_capture_on_commit_callbacks):
    _, late, rival = conflict
    boss = staff(superuser=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert boss.post(reverse("admin:booking_booking_cancel", args=[row(rival).pk]),
                         {"with_refund": "on", "revision": row(rival).revision}).status_code == 302
    assert row(rival).status == "CANCELED" and row(late).status == "CONFIRMED"
    assert ("Your booking is canceled: Massage", ["bo@example.com"]) in [(m.subject, m.to) for m in mail.outbox]
    assert listed(boss) == []


def test_staff_keep_both(conflict):
    _, late, rival = conflict
    boss = staff(superuser=True)
    url = reverse("admin:booking_booking_keep_both", args=[row(late).pk])
    assert boss.get(url).status_code == 405  # GET never changes anything
    assert boss.post(url, {"revision": "x"}).status_code == 400
    revision = row(late).revision
    assert boss.post(url, {"revision": revision - 1}, follow=True).status_code == 200
    assert not row(late).conflict_resolved  # a stale revision changes nothing
    page = boss.post(url, {"revision": revision}, follow=True)
    assert "both bookings kept" in page.content.decode()
    kept = row(late)
    assert (kept.conflict_resolved, kept.status, row(rival).status) == (True, "CONFIRMED", "CONFIRMED")
    change = kept.changes.last()
    assert (change.event, change.actor, change.reason) == ("updated", "staff", "double booking kept")
    assert listed(boss) == []


def test_view_only_staff_see_the_list_but_cannot_settle(conflict):
    _, late, _ = conflict
    viewer = staff("view_booking")
    page = viewer.get(CONFLICTS)
    assert page.status_code == 200 and not page.context["can_change"]
    assert viewer.post(reverse("admin:booking_booking_keep_both", args=[row(late).pk]),
                       {"revision": row(late).revision}).status_code == 403
    assert not row(late).conflict_resolved
    assert staff("view_classsession").get(CONFLICTS).status_code == 403


def test_the_conflicts_list_takes_a_constant_number_of_queries(conflict, django_assert_max_num_queries):
    boss = staff(superuser=True)
    boss.get(CONFLICTS)
    with django_assert_max_num_queries(8):
        assert boss.get(CONFLICTS).status_code == 200
