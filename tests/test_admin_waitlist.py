"""Staff manage the waitlists in the admin (booking.admin_waitlist): the list by session and in line, with the
offers; removing customers and offering free places through the port with the change permission, and neither
without it. Real engine, the admin through the test client."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking import models
from tests import test_waitlist
from tests.catalog import NOW

# The fixture of tests/test_waitlist.py, shared.
full_class, join = test_waitlist.full_class, test_waitlist.join

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]

LIST = reverse("admin:booking_waitlistentry_changelist")


def staff(client, *codenames):
    user = User.objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def act(client, action, entries):
    return client.post(LIST, {"action": action, "_selected_action": [e.pk for e in entries]}, follow=True)


def rows(made):
    return list(models.WaitlistEntry.objects.filter(session=made["session"]).order_by("created_at", "pk"))


@pytest.fixture
def waiting(engine, full_class):
    for name in ("Ada", "Bo", "Cy"):
        join(engine, full_class["event_id"], name)
    return rows(full_class)


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_staff_see_each_sessions_line_and_its_offers(client, engine, full_class, waiting):
    desk = staff(client, "view_waitlistentry")
    models.ClassSession.objects.filter(pk=full_class["session"].pk).update(capacity=3)
    engine.offer_waitlist_places(event_id=full_class["event_id"])
    few = page_queries(desk)
    page = desk.get(LIST)
    listed = [(r.email, r.ahead + 1) for r in page.context["cl"].result_list]
    assert sorted(listed, key=lambda r: r[1]) == [("ada@example.com", 1), ("bo@example.com", 2),
                                                 ("cy@example.com", 3)]
    html = page.content.decode()
    assert html.count("Place held until") == 1 and html.count(">Waiting<") == 2
    # Viewing is all: no actions offered, no add or delete.
    assert page.context["action_form"] is None or not page.context["cl"].actions
    assert 'name="action"' not in html and "/add/" not in html
    # Other bookings are not on the list.
    assert {r.status for r in page.context["cl"].result_list} == {"WAITING_LIST"}
    # The place in line is one subquery: a longer list costs no more queries.
    models.BookingPolicy.objects.update(waitlist_capacity=20)
    for n in range(6):
        join(engine, full_class["event_id"], f"More{n}")
    assert page_queries(desk) == few


def test_removing_a_customer_declines_them_through_the_port_and_passes_their_offer_on(
        client, engine, full_class, waiting, django_capture_on_commit_callbacks):
    ada, bo, _ = waiting
    models.ClassSession.objects.filter(pk=full_class["session"].pk).update(capacity=3)
    engine.offer_waitlist_places(event_id=full_class["event_id"])  # Ada is offered the one free place
    mail.outbox.clear()
    desk = staff(client, "view_waitlistentry", "change_waitlistentry")
    with django_capture_on_commit_callbacks(execute=True):
        page = act(desk, "remove_selected", [ada])
    assert "Removed 1 customer(s) from the waitlist." in page.content.decode()
    ada.refresh_from_db()
    assert ada.status == "DECLINED" and ada.changes.last().actor == "staff"
    bo.refresh_from_db()
    assert bo.hold_expires_at == NOW + timedelta(minutes=10)  # the place went to the next in line
    assert [m.to for m in mail.outbox] == [["bo@example.com"]]
    assert [r.email for r in rows(full_class)] == ["bo@example.com", "cy@example.com"]


def test_offering_free_places_now_offers_them_in_line(client, full_class, waiting):
    desk = staff(client, "view_waitlistentry", "change_waitlistentry")
    page = act(desk, "offer_places", waiting[:1])
    assert "No free place to offer." in page.content.decode()
    models.ClassSession.objects.filter(pk=full_class["session"].pk).update(capacity=3)
    page = act(desk, "offer_places", waiting[2:])  # any entry of the session: the first in line are offered
    assert "Offered a place to ada@example.com." in page.content.decode()
    assert [r.hold_expires_at is not None for r in rows(full_class)] == [True, False, False]


def test_without_the_change_permission_a_forged_action_changes_nothing(client, full_class, waiting):
    models.ClassSession.objects.filter(pk=full_class["session"].pk).update(capacity=3)
    desk = staff(client, "view_waitlistentry")
    before = [(r.status, r.revision, r.hold_expires_at) for r in rows(full_class)]
    for action in ("remove_selected", "offer_places"):
        page = act(desk, action, waiting)
        assert page.status_code == 200
    assert [(r.status, r.revision, r.hold_expires_at) for r in rows(full_class)] == before
    # The change page is read-only; without the view permission there is no page at all.
    change = desk.get(reverse("admin:booking_waitlistentry_change", args=[waiting[0].pk]))
    assert change.status_code == 200 and 'name="email"' not in change.content.decode()
    assert staff_without_waitlist(client).get(LIST).status_code == 403


def staff_without_waitlist(client):
    user = User.objects.create_user("other", "other@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_booking"))
    client.force_login(user)
    return client


def test_the_booking_policy_admin_sets_the_waitlist(client, full_class):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    policy = models.BookingPolicy.objects.get()
    page = client.get(reverse("admin:booking_bookingpolicy_change", args=[policy.pk])).content.decode()
    assert 'name="waitlist_enabled"' in page and 'name="waitlist_reservation_minutes"' in page
