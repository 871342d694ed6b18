"""Benchmarks of the slot listing: `make bench` (or `python -m bench.run`).

Builds a throwaway business (10 staff, 5,000 confirmed bookings over the next ~120 days) in its own database and
times, after a plain-Python reference loop (`machine_speed`, for comparing runs made on different machines): the
engine's List Availability Time Slots over a week and a month; the full slot page through Django's test
client, computed (`slot_page_http`) and as deployed, cache cold and warm (`slot_page_http_cold`, `_warm`), and over
HTTP in wix mode, against the Wix sandbox (`slot_page_wix`); the slot page under load (`slot_page_load`: gunicorn
with several workers, wrk with keep-alive clients, bench/load.py; `slot_page_load_before` the same with the settings
of before, for the ratio); the week again once
two years of past bookings are in (`slots_week_with_history`); then it books through the real pages over HTTP
(`book_http`: gunicorn, parallel customer processes, distinct slots). Progress goes to stderr and, last on stdout,
one JSON array of {"name", "median_ms", "p95_ms", "queries"} (`book_http` adds "bookings_per_second", "clients"
and "bookings"; `slot_page_load` "requests_per_second", "clients", "seconds").

Name entries to run only those: `python -m bench.run slots_week slots_week_with_history` (the Makefile's
`make bench BENCH_ONLY="slots_week slots_week_with_history"`).

Database: a fresh SQLite file in a temporary directory, unless DATABASE_URL is set. Then the server it names is used
on a fresh database: PostgreSQL gets a new database `bench_<pid>` (created with psycopg, dropped at the end), SQLite a
new file `bench_<pid>.sqlite3` next to the one named (removed at the end). Nothing existing is touched.
"""

import json
import math
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench.database import ThrowawayDatabase, say

TZ = "America/New_York"
STAFF = 10
BOOKINGS = 5_000
DAYS_AHEAD = 120
WORK_DAYS = range(6)  # Monday to Saturday
OPEN, CLOSE = clock(8), clock(20)
DURATION, BUFFER, INTERVAL = 60, 15, 15  # minutes
WARMUPS, RUNS = 3, 30
# book_http: customers in parallel, each booking with its own staff member (so every slot is distinct).
HTTP_CLIENTS, HTTP_WARMUPS, HTTP_BOOKINGS = 8, 1, 10  # the last two per customer
SEED = 20260302
# Targets (docs/performance.md, issue 16); reported, not enforced: timings on a shared machine vary.
AT_MOST, AT_LEAST = "<=", ">="
TARGETS = {
    "slots_week": [("median_ms", AT_MOST, 20)], "slots_month": [("median_ms", AT_MOST, 100)],
    "slot_page_http": [("queries", AT_MOST, 6)],
    "slot_page_http_cold": [("median_ms", AT_MOST, 8)], "slot_page_http_warm": [("median_ms", AT_MOST, 2)],
    "slot_page_load": [("requests_per_second", AT_LEAST, 250), ("p95_ms", AT_MOST, 100),
                       ("times_before", AT_LEAST, 4.5)],
    "slots_week_with_history": [("times_slots_week", AT_MOST, 1.2)],
    "book_http": [("bookings_per_second", AT_LEAST, 40)],
}
# slot_page_load: keep-alive clients against gunicorn with its usual worker count, for a fixed time (wrk).
LOAD_CLIENTS, LOAD_SECONDS = 20, 20
# slots_week_with_history: two years of past bookings, about as many as a busy studio keeps.
HISTORY_DAYS, HISTORY_PER_STAFF_DAY = 730, 5


def setup_django() -> None:
    hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    if "testserver" not in [h.strip() for h in hosts.split(",")]:
        os.environ["ALLOWED_HOSTS"] = f"{hosts},testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookingsite.settings")
    os.environ.setdefault("DEBUG", "true")
    # book_http's customers all come from 127.0.0.1 and book many times each: the abuse limits would stop them.
    # Its gunicorn inherits these.
    os.environ.setdefault("LIMIT_BOOKING_POSTS_PER_IP", "100000/h")
    os.environ.setdefault("LIMIT_BOOKING_POSTS_PER_SESSION", "100000/h")
    os.environ.setdefault("LIMIT_BOOKINGS_PER_EMAIL", "100000/d")
    os.environ.setdefault("WIX_SANDBOX", "true")  # its tables, for slot_page_wix's server
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"migrated in {time.perf_counter() - started:.1f} s")


# ---- the business ---------------------------------------------------------------------------------------------


def build_business(today: date):
    """The catalog through the real models (as tests/catalog.py does), then the bookings in bulk."""
    from django.db import connection, transaction

    from booking import models
    from booking.models.catalog import RateType, ServiceType

    tz = ZoneInfo(TZ)
    started = time.perf_counter()
    with transaction.atomic():
        models.Business.objects.create(name="Bench Studio", time_zone=TZ, currency="USD",
                                       address="1 Main St, Springfield", phone="+1 555 0100")
        models.BookingPolicy.objects.create(name="Default", is_default=True)
        staff = [models.StaffMember.objects.create(name=f"Staff {n:02}", sort_order=n) for n in range(STAFF)]
        models.WorkingHours.objects.bulk_create(
            models.WorkingHours(staff=member, weekday=day, start_time=OPEN, end_time=CLOSE)
            for member in staff
            for day in WORK_DAYS
        )
        category = models.ServiceCategory.objects.create(name="Treatments")
        location = models.Location.objects.create(name="Main room", address="1 Main St", is_default=True)
        service = models.Service.objects.create(
            category=category, type=ServiceType.APPOINTMENT, name="Massage", slug="massage",
            duration_minutes=DURATION, slot_interval_minutes=INTERVAL, time_between_sessions=BUFFER,
            rate_type=RateType.FIXED, price=Decimal("80.00"), pay_in_person=True,
        )
        service.staff.set(staff)
        service.locations.set([location])

        rows = [
            models.Booking(
                service=service, staff=member, location=location, start=start,
                end=start + timedelta(minutes=DURATION),
                occupied_until=start + timedelta(minutes=DURATION + BUFFER),
                time_zone=TZ, status=models.BookingStatus.CONFIRMED, payment_status=models.PaymentStatus.NOT_PAID,
                selected_payment_option=models.SelectedPaymentOption.OFFLINE, price=Decimal("80.00"),
                currency="USD", first_name=f"Customer{i}", last_name="Bench", email=f"customer{i}@example.com",
            )
            for i, (member, start) in enumerate(booking_times(staff, today, tz))
        ]
        models.Booking.objects.bulk_create(rows, batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would soon after a load; keeps plans stable between runs
    say(f"built the business ({STAFF} staff, {len(rows)} bookings) in {time.perf_counter() - started:.1f} s")
    return service


def add_history(service, today: date) -> int:
    """HISTORY_PER_STAFF_DAY past bookings per staff member and working day over the HISTORY_DAYS before today, one
    in five of them canceled: the rows a calendar gathers that no future slot depends on."""
    from django.db import connection, transaction

    from booking import calendar_version, models

    tz = ZoneInfo(TZ)
    staff = list(service.staff.order_by("pk"))
    location = service.locations.get()
    started = time.perf_counter()
    rows = []
    for n in range(1, HISTORY_DAYS + 1):
        day = today - timedelta(days=n)
        if day.weekday() not in WORK_DAYS:
            continue
        for member in staff:
            for k in range(HISTORY_PER_STAFF_DAY):
                local = datetime.combine(day, clock(OPEN.hour + 2 * k))
                start = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
                status = models.BookingStatus.CANCELED if (n + k) % 5 == 0 else models.BookingStatus.CONFIRMED
                rows.append(models.Booking(
                    service=service, staff=member, location=location, start=start,
                    end=start + timedelta(minutes=DURATION),
                    occupied_until=start + timedelta(minutes=DURATION + BUFFER), time_zone=TZ, status=status,
                    payment_status=models.PaymentStatus.PAID,
                    selected_payment_option=models.SelectedPaymentOption.OFFLINE, price=Decimal("80.00"),
                    currency="USD", first_name="Past", last_name=f"Customer {len(rows)}",
                    email=f"past{len(rows)}@example.com",
                ))
    with transaction.atomic():
        models.Booking.objects.bulk_create(rows, batch_size=1000)
        calendar_version.bump()  # bulk_create sends no signal: no cached listing may outlive it
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(f"added {len(rows)} past bookings in {time.perf_counter() - started:.1f} s")
    return len(rows)


def booking_times(staff, today: date, tz: ZoneInfo):
    """BOOKINGS (staff member, UTC start) pairs on the slot grid inside working hours, spread over the working days
    from today on, with no two of one staff member's bookings (plus buffer) overlapping."""
    rng = random.Random(SEED)
    days = [today + timedelta(days=n) for n in range(DAYS_AHEAD) if (today + timedelta(days=n)).weekday() in WORK_DAYS]
    cells = [(member, day) for member in staff for day in days]
    per_cell = [BOOKINGS // len(cells)] * len(cells)
    for index in rng.sample(range(len(cells)), BOOKINGS % len(cells)):
        per_cell[index] += 1
    open_minutes = OPEN.hour * 60 + OPEN.minute
    grid = range(open_minutes, CLOSE.hour * 60 + CLOSE.minute - DURATION + 1, INTERVAL)
    block = DURATION + BUFFER
    for (member, day), count in zip(cells, per_cell, strict=True):
        chosen: list[int] = []
        for minute in rng.sample(grid, len(grid)):
            if len(chosen) == count:
                break
            if all(abs(minute - other) >= block for other in chosen):
                chosen.append(minute)
        if len(chosen) != count:
            raise RuntimeError(f"could not place {count} bookings on {day} for {member}")
        for minute in sorted(chosen):
            local = datetime.combine(day, clock(minute // 60, minute % 60))
            yield member, local.replace(tzinfo=tz, fold=0).astimezone(UTC)


# ---- measuring ------------------------------------------------------------------------------------------------


class QueryCounter:
    """Counts the statements run inside `connection.execute_wrapper(counter)`. Django's CaptureQueriesContext would
    force the debug cursor, which formats and keeps every statement: work a deployed site does not do."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(name: str, call, check) -> dict:
    from django.db import connection

    for _ in range(WARMUPS):
        check(call())
    samples, counts = [], set()
    for _ in range(RUNS):
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            started = time.perf_counter()
            result = call()
            elapsed = time.perf_counter() - started
        check(result)
        samples.append(elapsed * 1000)
        counts.add(queries.count)
    if len(counts) != 1:
        raise RuntimeError(f"{name}: the query count changed between runs: {sorted(counts)}")
    figures = {"name": name, **summarize(samples), "queries": counts.pop()}
    say(f"{name}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, {figures['queries']} queries "
        f"({RUNS} runs after {WARMUPS} warm-ups)")
    return figures


def machine_speed() -> dict:
    """How fast this machine runs plain Python now: ten million additions in a loop, the median of five runs. The
    targets are absolute and the shared machines differ (docs/performance.md): this figure, printed beside the
    others, says which kind of machine a run was made on."""
    samples = []
    for _ in range(5):
        started, total = time.perf_counter(), 0
        for n in range(10_000_000):
            total += n
        samples.append((time.perf_counter() - started) * 1000)
    figures = {"name": "machine_speed", **summarize(samples), "queries": None}
    say(f"machine_speed: ten million additions in {figures['median_ms']} ms (median of 5)")
    return figures


def summarize(samples_ms: list[float]) -> dict:
    samples = sorted(samples_ms)
    middle = len(samples) // 2
    return {
        "median_ms": round(samples[middle] if len(samples) % 2 else (samples[middle - 1] + samples[middle]) / 2, 2),
        "p95_ms": round(samples[math.ceil(0.95 * len(samples)) - 1], 2),  # nearest rank
    }


def week_slots(service, monday: date, days: int = 7, per_day: int | None = None):
    """A call listing `days` of the service's slots from `monday` through the engine (at most `per_day` a day)."""
    from booking.backends.local import LocalEngine

    engine = LocalEngine()

    def call():
        return engine.list_availability_time_slots(
            service_id=str(service.pk),
            from_local_date=f"{monday.isoformat()}T00:00:00",
            to_local_date=f"{(monday + timedelta(days=days)).isoformat()}T00:00:00",
            time_slots_per_day=per_day,
        )

    return call


def cached(call, *, cold: bool = False):
    """`call` with the availability cache on (main() turns it off for this process); emptied first if `cold`."""
    from django.conf import settings
    from django.core.cache import cache

    def with_cache():
        if cold:
            cache.clear()
        settings.AVAILABILITY_CACHE = True
        try:
            return call()
        finally:
            settings.AVAILABILITY_CACHE = False

    return with_cache


def some_slots(response):
    if not response.time_slots:
        raise RuntimeError("no time slots listed")


def benchmarks(service, monday: date, wanted) -> list[dict]:
    from django.test import Client

    client = Client()
    url = f"/services/{service.slug}/?month={monday:%Y-%m}&day={monday.isoformat()}"

    def page():
        client.cookies.clear()  # a fresh visitor every time: no session to load
        return client.get(url)

    def page_ok(response):
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        if b"/details/?start=" not in response.content:
            raise RuntimeError(f"GET {url} shows no bookable time")

    entries = [
        ("slots_week", week_slots(service, monday), some_slots),
        # The same week from the availability cache (booking/backends/local/slot_cache.py); every other entry in
        # this process computes afresh.
        ("slots_week_cached", cached(week_slots(service, monday)), some_slots),
        ("slots_month", week_slots(service, monday, 31), some_slots),
        # What the month calendar asks for: does each day have an open time (the engine stops a day at its first).
        ("slots_month_per_day", week_slots(service, monday, 31, per_day=1), some_slots),
        ("slot_page_http", page, page_ok),
        # The same page as deployed: the availability cache and the kept page on (booking/page_cache.py),
        # emptied before each request (cold), or as the previous request left it (warm).
        ("slot_page_http_cold", cached(page, cold=True), page_ok),
        ("slot_page_http_warm", cached(page), page_ok),
    ]
    return [measure(name, call, check) for name, call, check in entries if wanted(name)]


def slot_page_wix(service, monday: date) -> dict:
    """The slot page in wix mode: gunicorn serving BOOKINGS_BACKEND=wix against the Wix sandbox on the same server
    (the site calls itself over HTTP, as it would call Wix), one customer session kept, so its visitor token and
    each worker's catalog cache are warm after the warm-ups. Compare with slot_page_http (the same page in local
    mode, through the test client); the Wix calls per page are counted in tests/test_wix_views.py."""
    from bench.http_clients import BrowserSession, current_database_url, live_server

    def wix(url: str) -> dict:
        return {"BOOKINGS_BACKEND": "wix", "WIX_SANDBOX": "true", "SITE_URL": url,
                "WIX_API_BASE": f"{url}/_sandbox/wix"}

    with live_server(current_database_url(), settings_for=wix) as url:
        page_url = f"{url}/services/{service.slug}/?month={monday:%Y-%m}&day={monday.isoformat()}"
        customer = BrowserSession()

        def page():
            response = customer.get(page_url, timeout=60)
            if response.status_code != 200 or b"/details/?start=" not in response.content:
                raise RuntimeError(f"GET {page_url} answered {response.status_code} with no bookable time")

        for _ in range(WARMUPS * 4):  # every worker's cache
            page()
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            page()
            samples.append((time.perf_counter() - started) * 1000)
    figures = {"name": "slot_page_wix", **summarize(samples), "queries": None}
    say(f"slot_page_wix: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms ({RUNS} runs)")
    return figures


def book_http(service, monday: date) -> dict:
    """Booking creations per second through the real pages: HTTP_CLIENTS customer processes at once, each booking
    HTTP_BOOKINGS times the first open time of `monday`'s month with its own staff member, against gunicorn with
    several worker processes on this database. median_ms and p95_ms are one journey: slot page, booking form (GET,
    POST), review (GET, POST), confirmation page."""
    from bench.http_clients import SPAWN, book_first_times, current_database_url, live_server, page_title, run_customers
    from bench.load import DEPLOYED
    from booking import models

    staff = [str(pk) for pk in service.staff.order_by("pk").values_list("pk", flat=True)[:HTTP_CLIENTS]]
    confirmed = models.Booking.objects.filter(service=service, status=models.BookingStatus.CONFIRMED)
    expected = confirmed.count() + len(staff) * (HTTP_WARMUPS + HTTP_BOOKINGS)
    barrier = SPAWN.Barrier(len(staff))
    with live_server(current_database_url(), settings_for=lambda _url: DEPLOYED) as url:
        say(f"book_http: {len(staff)} customers, {HTTP_BOOKINGS} bookings each (after {HTTP_WARMUPS} warm-up), "
            f"against {url}")
        runs = run_customers(book_first_times, [
            (url, service.slug, member, f"{monday:%Y-%m}",
             {"first_name": "Http", "last_name": f"Customer {n}", "email": f"http{n}@example.com"},
             HTTP_WARMUPS, HTTP_BOOKINGS, barrier)
            for n, member in enumerate(staff)
        ], timeout=600)
    journeys = [journey for run in runs for journey in run]
    failed = [(j.status, j.followed_status, j.location or page_title(j.text)) for j in journeys
              if j.status != 302 or j.followed_status != 200]
    if failed:
        raise RuntimeError(f"book_http: {len(failed)} of {len(journeys)} bookings failed, e.g. {failed[0]}")
    if confirmed.count() != expected:
        raise RuntimeError(f"book_http: {confirmed.count()} confirmed bookings, not {expected}")
    # From the first timed journey's start to the last one's end, all customers together.
    seconds = max(j.finished_at for j in journeys) - min(j.started_at for j in journeys)
    figures = {"name": "book_http", **summarize([j.elapsed_ms for j in journeys]), "queries": None,
               "bookings_per_second": round(len(journeys) / seconds, 2), "clients": len(staff),
               "bookings": len(journeys)}
    say(f"book_http: {figures['bookings_per_second']} bookings/s ({len(journeys)} in {seconds:.1f} s); one journey: "
        f"median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms")
    return figures


def main(only: list[str]) -> int:
    """Every entry, or only those named (`python -m bench.run slots_week slots_week_with_history`)."""
    from bench.load import BEFORE, collect_static, slot_page_load

    def wanted(name: str) -> bool:
        return not only or name in only

    with ThrowawayDatabase():
        setup_django()
        from django.conf import settings
        from django.db import connection

        # The engine's own cost: the in-process entries compute every listing (but slots_week_cached); the servers
        # of slot_page_load, slot_page_wix and book_http keep the cache as deployed.
        settings.AVAILABILITY_CACHE = False
        # And as deployed, DEBUG off (as Django's test runner turns it off): no debug cursor formatting and keeping
        # every statement. The environment asked for DEBUG only for settings.py's sake (a development key, the
        # sandboxes), which is read by now.
        settings.DEBUG = False

        today = datetime.now(ZoneInfo(TZ)).date()
        monday = today + timedelta(days=7 - today.weekday())
        service = build_business(today)
        say(f"timing from next Monday, {monday.isoformat()}")
        results = [machine_speed()] if wanted("machine_speed") else []
        results += benchmarks(service, monday, wanted)
        shared = not (connection.vendor == "sqlite" and connection.is_in_memory_db())
        if not shared:
            say("slot_page_load, book_http: skipped: a server's processes cannot share an in-memory SQLite database")
        elif wanted("slot_page_wix"):
            results.append(slot_page_wix(service, monday))
        if shared and any(map(wanted, ("slot_page_load_before", "slot_page_load", "book_http"))):
            started = time.perf_counter()
            collect_static()
            say(f"collected the static files for the production servers in {time.perf_counter() - started:.1f} s")
        if shared and wanted("slot_page_load_before") and (before := slot_page_load(
                service, monday, clients=LOAD_CLIENTS, seconds=LOAD_SECONDS, say=say,
                name="slot_page_load_before", server=BEFORE)):
            results.append(before)
        if shared and wanted("slot_page_load") and (
                load := slot_page_load(service, monday, clients=LOAD_CLIENTS, seconds=LOAD_SECONDS, say=say)):
            results.append(load)
        if wanted("slots_week_with_history"):
            add_history(service, today)
            results.append(measure("slots_week_with_history", week_slots(service, monday), some_slots))
        add_ratios(results)
        if shared and wanted("book_http"):
            results.append(book_http(service, monday))  # last: it adds bookings
    for figures in results:
        for key, direction, target in TARGETS.get(figures["name"], []):
            if key not in figures:
                continue
            met = figures[key] <= target if direction == AT_MOST else figures[key] >= target
            say(f"target {figures['name']} {key} {direction} {target}: {'ok' if met else 'MISSED'} ({figures[key]})")
    print(json.dumps(results))
    return 0


def add_ratios(results: list[dict]) -> None:
    """The ratios the targets name, within this run: the load against the one of before, the week with history
    against the week without."""
    by_name = {figures["name"]: figures for figures in results}
    if "slot_page_load" in by_name and "slot_page_load_before" in by_name:
        by_name["slot_page_load"]["times_before"] = round(
            by_name["slot_page_load"]["requests_per_second"] / by_name["slot_page_load_before"]["requests_per_second"],
            2)
    if "slots_week_with_history" in by_name and "slots_week" in by_name:
        by_name["slots_week_with_history"]["times_slots_week"] = round(
            by_name["slots_week_with_history"]["median_ms"] / by_name["slots_week"]["median_ms"], 2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
