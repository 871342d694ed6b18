"""The availability cache is never stale: after every kind of change that can alter availability, and as the clock
moves past a policy limit or a hold's end, the next listing is what the engine computes afresh. Cold and warm
listings cost a constant number of queries, warm fewer."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import models
from booking.backends.local import lifecycle
from booking.models.catalog import ServiceType
from booking.port import Caller, CancelFlowControlSettings
from tests.catalog import NOW, make_business, make_policy, make_service, make_staff, weekdays
from tests.test_engine import NY, at, request_for

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]

WEEK = {"from_local_date": "2026-03-02T00:00:00", "to_local_date": "2026-03-09T00:00:00"}


@pytest.fixture
def studio(settings):
    settings.AVAILABILITY_CACHE = True
    make_business()
    make_policy()
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    ben = make_staff("Ben", weekdays(time(10), time(12)))
    massage = make_service([ana, ben], time_between_sessions=30, slot_interval_minutes=30)
    return {"ana": ana, "ben": ben, "massage": massage}


def listing(engine, studio, **asked):
    return engine.list_availability_time_slots(service_id=str(studio["massage"].pk), **WEEK, **asked)


def fresh(engine, studio, settings, **asked):
    settings.AVAILABILITY_CACHE = False
    try:
        return listing(engine, studio, **asked)
    finally:
        settings.AVAILABILITY_CACHE = True


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, len(queries)


def test_cold_and_warm_listings_cost_constant_queries_warm_fewer(engine, studio, settings):
    uncached, first_queries = counted(lambda: fresh(engine, studio, settings))
    assert first_queries == 6, "the service, its staff and places, the business row, the hours, the busy time"
    for asked in ({}, {"time_slots_per_day": 1}, {"resource_ids": [str(studio["ben"].pk)]},
                  {"time_zone": "Europe/London"}, {"limit": 3}):
        computed = fresh(engine, studio, settings, **asked)  # which keeps these staff's weekly hours, if new
        cold, cold_queries = counted(lambda asked=asked: listing(engine, studio, **asked))
        warm, warm_queries = counted(lambda asked=asked: listing(engine, studio, **asked))
        assert warm == cold == computed
        assert cold_queries == 2, ("the business row with the versions, the busy time: the catalog and the weekly "
                                   "hours are kept (catalog_cache.py)")
        assert warm_queries == 1, "the business row with the version, then the entry"
    assert uncached == listing(engine, studio)


def make_booking(studio, start, **values):
    values.setdefault("status", models.BookingStatus.CONFIRMED)
    massage = studio["massage"]
    return models.Booking.objects.create(
        service=massage, staff=studio["ana"], start=start, end=start + timedelta(hours=1),
        occupied_until=start + timedelta(minutes=90), time_zone="America/New_York", first_name="A",
        email="a@example.com", currency="USD", **values)


def _staff_hours(studio):
    models.WorkingHours.objects.filter(staff=studio["ben"]).first().delete()


def _more_hours(studio):
    models.WorkingHours.objects.create(staff=studio["ben"], weekday=5, start_time=time(9), end_time=time(11))


def _time_off(studio):
    models.TimeOff.objects.create(staff=studio["ana"], start=at(3, 9), end=at(3, 11))


def _session(studio):
    yoga = make_service([studio["ana"]], name="Yoga", type=ServiceType.CLASS)
    models.ClassSession.objects.create(service=yoga, start=at(4, 9), end=at(4, 10), staff=studio["ana"], capacity=5)


def _policy(studio):
    policy = models.BookingPolicy.objects.get()
    policy.limit_early_booking_enabled, policy.earliest_booking_in_minutes = True, 2 * 24 * 60
    policy.save()


def _service(studio):
    massage = models.Service.objects.get(pk=studio["massage"].pk)
    massage.duration_minutes = 90
    massage.save()


def _service_staff(studio):
    studio["massage"].staff.remove(studio["ben"])


def _staff_leaves(studio):
    studio["ben"].is_active = False
    studio["ben"].save()


def _business_zone(studio):
    business = models.Business.objects.get()
    business.time_zone = "Europe/London"
    business.save()


def _booking_saved(studio):
    make_booking(studio, at(2, 9))


def _booking_deleted(studio):
    models.Booking.objects.filter(start=at(2, 11)).delete()


def _booking_canceled(studio):
    booking = models.Booking.objects.get(start=at(2, 11))
    lifecycle.cancel_booking(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF,
                             flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True))


CHANGES = [_staff_hours, _more_hours, _time_off, _session, _policy, _service, _service_staff, _staff_leaves,
           _business_zone, _booking_saved, _booking_deleted, _booking_canceled]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_the_next_listing_after_a_change_is_fresh(engine, studio, settings, change):
    make_booking(studio, at(2, 11))
    for asked in ({}, {"time_slots_per_day": 1}):
        listing(engine, studio, **asked)
        assert counted(lambda asked=asked: listing(engine, studio, **asked))[1] == 1  # cached
    before = listing(engine, studio)
    change(studio)
    for asked in ({}, {"time_slots_per_day": 1}):
        assert listing(engine, studio, **asked) == fresh(engine, studio, settings, **asked)
    assert listing(engine, studio) != before, "the change alters availability, so a stale entry would show"


def test_creating_holding_and_releasing_through_the_engine(engine, studio, settings):
    massage, ana = studio["massage"], studio["ana"]
    before = listing(engine, studio)
    booking = engine.create_booking(request_for(massage, at(2, 9), ana))
    engine.hold_booking(booking.id, expires_at=NOW + timedelta(minutes=30))
    held = listing(engine, studio)
    assert held == fresh(engine, studio, settings) != before
    engine.release_hold(booking.id)  # an UPDATE: no signal, the engine bumps
    assert listing(engine, studio) == fresh(engine, studio, settings) == before


def test_a_hold_lapsing_ends_the_entry_with_nothing_written(engine, studio, settings):
    booking = make_booking(studio, at(2, 9), status=models.BookingStatus.CREATED,
                           hold_expires_at=NOW + timedelta(minutes=30))
    held = listing(engine, studio)
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        lapsed = listing(engine, studio)
        assert lapsed == fresh(engine, studio, settings) != held
    assert booking.hold_expires_at is not None


def test_a_policy_limit_passing_a_start_ends_the_entry(engine, studio, settings):
    models.BookingPolicy.objects.update(limit_early_booking_enabled=True, earliest_booking_in_minutes=2 * 24 * 60)
    early = listing(engine, studio)
    # 2 March 09:00 New York plus two days passes the first start of 4 March: it opens.
    later = datetime(2026, 3, 2, 9, 1, tzinfo=NY)
    with time_machine.travel(later, tick=False):
        assert listing(engine, studio) == fresh(engine, studio, settings) != early


# ---- the slot page kept rendered (booking/page_cache.py) -------------------------------------------------------

WEEK_DAYS = [f"?month=2026-03&day=2026-03-0{day}" for day in range(2, 8)]


def page(client, query="", **headers):
    client.cookies.clear()  # a fresh visitor, as the load benchmark's
    response = client.get(f"/services/massage/{query}", headers=headers)
    assert response.status_code == 200
    # What is the visitor's own is rendered on every request: the CSRF token in the body's htmx headers, the
    # script nonce.
    return re.sub(r'"x-csrftoken": "[^"]*"|nonce="[^"]*"', "", response.content.decode())


def afresh(client, settings, query="", **headers):
    settings.AVAILABILITY_CACHE = False
    try:
        return page(client, query, **headers)
    finally:
        settings.AVAILABILITY_CACHE = True


def week_of_pages(client, studio, settings=None):
    """The page of each day of the week, with any staff member and with Ana, as kept (or rendered afresh, with
    `settings`)."""
    queries = [query + staff for query in WEEK_DAYS for staff in ("", f"&staff={studio['ana'].pk}")]
    return [afresh(client, settings, query) if settings else page(client, query) for query in queries]


def test_a_kept_slot_page_is_the_page_rendered_afresh_and_costs_one_query(client, studio, settings):
    page(client, "?month=2026-04")  # Django checks SQLite's JSON support once per connection: not the page's cost
    ben = str(studio["ben"].pk)
    for query, headers in [("", {}), ("?month=2026-03&day=2026-03-03", {}), (f"?day=2026-03-04&staff={ben}", {}),
                           ("?day=2026-03-03&tz=Europe/London", {}), ("?month=2026-05", {}),
                           ("?month=2026-03&day=2026-03-05", {"HX-Request": "true", "HX-Target": "times"}),
                           ("?month=2026-04&staff=any", {"HX-Request": "true", "HX-Target": "picker"})]:
        expected = afresh(client, settings, query, **headers)
        cache.clear()
        cold, cold_queries = counted(lambda query=query, headers=headers: page(client, query, **headers))
        warm, warm_queries = counted(lambda query=query, headers=headers: page(client, query, **headers))
        assert cold == warm == expected
        assert warm_queries == 1, "the business row with the version, then the kept page"
        assert cold_queries == counted(lambda query=query, headers=headers: afresh(client, settings, query,
                                                                                   **headers))[1]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_the_next_slot_page_after_a_change_is_fresh(client, studio, settings, change):
    make_booking(studio, at(2, 11))
    before = week_of_pages(client, studio)
    assert counted(lambda: week_of_pages(client, studio))[1] == 2 * len(WEEK_DAYS)  # kept: a query a page
    change(studio)
    after = week_of_pages(client, studio)
    assert after == week_of_pages(client, studio, settings)
    assert after != before, "the change alters the week's pages, so a stale page would show"


def test_a_policy_limit_passing_a_start_ends_the_kept_page(client, studio, settings):
    models.BookingPolicy.objects.update(limit_early_booking_enabled=True, earliest_booking_in_minutes=2 * 24 * 60)
    early = page(client, WEEK_DAYS[2])
    with time_machine.travel(datetime(2026, 3, 2, 9, 1, tzinfo=NY), tick=False):  # 4 March's first start opens
        later = page(client, WEEK_DAYS[2])
        assert later == afresh(client, settings, WEEK_DAYS[2]) != early
