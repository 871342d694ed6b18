"""The admin calendar (booking.admin_calendar): a day or a week per staff member or for everyone, with working
hours, time off, appointments coloured by status and class sessions with places taken, each linking to its admin
page; one click from the admin index; a fixed number of queries however full the calendar is."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking import models
from booking.port import Caller
from tests import test_admin
from tests.test_admin import NY, massage_at, row
from tests.test_classes import class_request

boss, studio = test_admin.boss, test_admin.studio
pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]

CALENDAR = reverse("admin:booking_booking_calendar")


def yoga_session(studio, day=4):
    return models.ClassSession.objects.get(service=studio["yoga"], start__date=datetime(2026, 3, day).date())


def book_yoga(engine, studio, participants=1, email="ada@example.com"):
    session = yoga_session(studio)
    booking = engine.create_booking(class_request(str(session.public_id), studio["yoga"], participants=participants,
                                                  email=email))
    return engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")


def cells(page):
    """{staff name: [(day, [(css, label, url)])]} from the page's context."""
    return {member.name: [(day.isoformat(), [(e.css, e.label, e.url) for e in entries]) for day, _, entries in week]
            for member, week in page.context["rows"]}


def test_the_day_shows_each_staff_members_bookings_sessions_and_hours(boss, engine, studio):
    confirmed = massage_at(engine, studio, day=4, hour=9)
    book_yoga(engine, studio, participants=2)
    page = boss.get(CALENDAR, {"date": "2026-03-04"})
    assert page.status_code == 200
    got = cells(page)
    assert list(got) == ["Ana", "Sam"]
    (day, ana), = got["Ana"]
    assert day == "2026-03-04"
    assert ana == [("status-confirmed", f"Massage: {row(confirmed).customer_name} (Confirmed)",
                    reverse("admin:booking_booking_change", args=[row(confirmed).pk]))]
    (_, sam), = got["Sam"]
    assert sam == [("session", "Yoga (2/5 places taken)",
                    reverse("admin:booking_classsession_change", args=[yoga_session(studio).pk]))]
    html = page.content.decode()
    assert "09:00–17:00" in html and "09:00–10:00" in html  # local wall time, not the admin's UTC
    assert 'class="status-confirmed"' in html


def test_the_week_per_staff_member_with_time_off_and_canceled_bookings(boss, engine, studio):
    gone = massage_at(engine, studio, day=5, hour=10)
    engine.cancel_booking(gone.id, revision=gone.revision, caller=Caller.STAFF)
    models.TimeOff.objects.create(staff=studio["ana"], start=datetime(2026, 3, 6, 0, tzinfo=NY),
                                  end=datetime(2026, 3, 7, 12, tzinfo=NY), reason="Holiday")
    page = boss.get(CALENDAR, {"date": "2026-03-04", "view": "week", "staff": studio["ana"].pk})
    week = dict(cells(page)["Ana"])
    assert list(week) == [f"2026-03-0{d}" for d in range(2, 9)]  # Monday to Sunday
    assert [css for css, _, _ in week["2026-03-05"]] == ["status-canceled"]
    assert [label for _, label, _ in week["2026-03-06"]] == ["Time off: Holiday"]
    assert [label for _, label, _ in week["2026-03-07"]] == ["Time off: Holiday"]
    assert "Sam" not in cells(page)
    assert "Not working" in page.content.decode()  # the weekend


def test_the_query_count_does_not_grow_with_the_calendar(boss, engine, studio):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert boss.get(CALENDAR, {"date": "2026-03-02", "view": "week"}).status_code == 200
        return len(queries)

    massage_at(engine, studio, day=4, hour=9)
    few = count()
    for day, hour in ((2, 9), (3, 11), (4, 13), (5, 9), (6, 15)):
        massage_at(engine, studio, day=day, hour=hour)
    book_yoga(engine, studio, email="bo@example.com")
    models.TimeOff.objects.create(staff=studio["ana"], start=datetime(2026, 3, 3, 15, tzinfo=NY),
                                  end=datetime(2026, 3, 3, 16, tzinfo=NY))
    assert count() == few
    assert few <= 12


def test_todays_schedule_is_one_click_from_the_index(boss):
    assert f'href="{CALENDAR}"' in boss.get(reverse("admin:index")).content.decode()


def test_bad_input_and_no_permission(boss, client, studio):
    assert boss.get(CALENDAR, {"date": "March"}).status_code == 400
    assert boss.get(CALENDAR, {"view": "year"}).status_code == 400
    assert boss.get(CALENDAR, {"staff": "x"}).status_code == 400
    user = User.objects.create_user("sessions", "s@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_classsession"))
    client.force_login(user)
    assert client.get(CALENDAR).status_code == 403
    assert CALENDAR not in client.get(reverse("admin:index")).content.decode()
