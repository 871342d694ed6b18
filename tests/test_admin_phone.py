"""Phone bookings from the admin (booking.admin_phone): staff pick a service, a free time the port lists (or force
one, with the force permission), the customer's answers and how it is paid; the port creates the booking as staff
and staff confirm it, so the customer is emailed and the audit trail has both changes."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse

from booking import models
from tests import test_admin
from tests.catalog import ANSWERS
from tests.test_admin import NY, massage_at, row

boss, studio = test_admin.boss, test_admin.studio
pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]

PHONE = reverse("admin:booking_booking_phone")


def answers(**changes):
    return {f"answers-{key}": value for key, value in {**ANSWERS, **changes}.items()}


def desk(client, *codenames):
    user = User.objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_booking", *codenames]))
    client.force_login(user)
    return client


def test_book_a_free_time_paid_in_person(boss, studio, django_capture_on_commit_callbacks):
    assert "Massage" in boss.get(PHONE).content.decode()
    url = f"{PHONE}?service={studio['massage'].pk}"
    choices = dict(boss.get(url).context["form"].fields["time"].choices)
    ten = datetime(2026, 3, 4, 10, tzinfo=NY)
    value = next(v for v in choices if v and datetime.fromisoformat(v.split("|")[0]) == ten)
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(url, {"time": value, "payment": "in_person", **answers(email="cy@example.com")})
    assert response.status_code == 302
    booking = models.Booking.objects.get()
    assert (booking.start, booking.status, booking.payment_status, booking.selected_payment_option,
            booking.email) == (ten, "CONFIRMED", "NOT_PAID", "OFFLINE", "cy@example.com")
    assert [(c.event, c.actor) for c in booking.changes.all()] == [("created", "staff"), ("confirmed", "staff")]
    assert ("Your booking is confirmed: Massage", ["cy@example.com"]) in [(m.subject, m.to) for m in mail.outbox]


def test_a_free_class_booking_for_two(boss, studio):
    session = models.ClassSession.objects.filter(service=studio["yoga"]).order_by("start")[0]
    response = boss.post(f"{PHONE}?service={studio['yoga'].pk}", {
        "time": str(session.public_id), "payment": "free", "total_participants": 2, **answers()})
    assert response.status_code == 302
    booking = models.Booking.objects.get()
    assert (booking.session_id, booking.total_participants, booking.payment_status) == (session.pk, 2, "EXEMPT")


def test_forcing_a_taken_time_needs_the_force_permission(client, engine, studio):
    taken = massage_at(engine, studio, day=4, hour=9)
    staff = desk(client, "change_booking")
    url = f"{PHONE}?service={studio['massage'].pk}"
    form = staff.get(url).context["form"]
    assert "forced_start" not in form.fields
    forced = {"forced_start": "2026-03-04 09:00", "forced_staff": studio["ana"].pk, "payment": "in_person",
              **answers()}
    page = staff.post(url, forced)
    assert page.status_code == 200 and "Choose a free time." in page.content.decode()
    assert models.Booking.objects.count() == 1
    User.objects.get(username="desk").user_permissions.add(Permission.objects.get(codename="force_booking"))
    assert staff.post(url, forced).status_code == 302
    new = models.Booking.objects.exclude(pk=row(taken).pk).get()
    assert (new.start, new.staff_id, new.skip_availability_validation) == (row(taken).start, studio["ana"].pk, True)


def test_refused_without_the_change_permission_and_bad_input(client, boss, studio):
    assert boss.get(f"{PHONE}?service=x").status_code == 400
    assert boss.get(f"{PHONE}?service=999").status_code == 400
    url = f"{PHONE}?service={studio['massage'].pk}"
    page = boss.post(url, {"payment": "in_person", **answers(email="")})
    assert page.status_code == 200 and page.context["answers"].errors and models.Booking.objects.count() == 0
    viewer = desk(client)
    assert viewer.get(PHONE).status_code == 403
    assert viewer.post(url, {"payment": "free", **answers()}).status_code == 403
    assert models.Booking.objects.count() == 0
