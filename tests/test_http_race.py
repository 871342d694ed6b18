"""Booking is a race over HTTP too: separate customer processes post the booking form for one slot, at once, to a
gunicorn server with several worker processes on the test database (a file on SQLite, or PostgreSQL), run with
development's settings or with production's as the bench runs it (bench/load.py)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.http_clients import SPAWN, current_database_url, live_server, page_title, race_for_first_time, run_customers
from bench.load import DEPLOYED, collect_static
from booking import models
from booking.views.services import JUST_TAKEN
from tests.catalog import ANSWERS, FREE, TZ, make_business, make_policy, make_service, make_staff

CUSTOMERS = 12

# No frozen clock: the server's processes run on the real one.
pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def one_slot():
    """A free consultation with one staff member who works one hour a week, a week from now: one bookable time."""
    make_business()
    make_policy()
    day = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=7)
    ana = make_staff("Ana", [(day.weekday(), time(10), time(11))])
    service = make_service([ana], name="Consultation", duration_minutes=60, **FREE)
    return {"service": service, "day": day, "start": datetime.combine(day, time(10), ZoneInfo(TZ))}


@pytest.fixture(params=["development", "production"])
def server(request, one_slot):
    """gunicorn with four worker processes on the test database (the data above is committed, so they see it): with
    development's settings, or with production's behind its TLS proxy, whose header, with a browser's Referer and
    the HTTPS-only cookies, the customers send (bench/http_clients.py)."""
    production = request.param == "production"
    if production:
        collect_static()
    with live_server(current_database_url(), settings_for=(lambda _url: DEPLOYED) if production else None) as url:
        yield url


def test_many_customers_post_the_booking_form_for_one_slot_at_once(one_slot, server):
    service = one_slot["service"]
    barrier = SPAWN.Barrier(CUSTOMERS)
    answers = [{"first_name": ANSWERS["first_name"], "last_name": f"Customer {n}", "email": f"c{n}@example.com"}
               for n in range(CUSTOMERS)]
    outcomes = run_customers(race_for_first_time,
                             [(server, service.slug, one_slot["day"].isoformat(), a, barrier) for a in answers],
                             timeout=180)

    summary = [(o.status, o.location or page_title(o.text)) for o in outcomes]
    assert not [o for o in outcomes if o.status >= 500], summary
    assert len({o.link for o in outcomes}) == 1, "everyone chose the one time offered"
    # Losers are refused by Create And Settle Booking's one check; nothing is made and then declined.
    bookings = models.Booking.objects.filter(service=service)
    assert list(bookings.values_list("status", flat=True)) == ["CONFIRMED"]
    booking = bookings.get(status="CONFIRMED")  # exactly one
    assert booking.start == one_slot["start"]

    winners = [o for o in outcomes if o.status == 302]
    assert len(winners) == 1, summary
    assert winners[0].location == f"/bookings/{booking.public_id}/"
    assert winners[0].followed_status == 200 and "Your booking is confirmed" in winners[0].text

    losers = [o for o in outcomes if o is not winners[0]]
    assert all(o.status == 409 and JUST_TAKEN in o.text for o in losers), summary
