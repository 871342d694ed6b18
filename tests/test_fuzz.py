"""Hostile input at every customer and payment route: hypothesis builds requests from the URL patterns of
booking.urls and payments.urls (real and garbage ids, slugs and tokens; hostile query strings, form bodies and
headers; GET and POST; a fresh browser, one with a booking in progress, one that made a booking and opened its
emailed link) and sends them through Django's test client to the real views and database.

What must hold for every request: no 5xx (a view that raises fails the test with its traceback), and a 4xx writes
nothing to the booking or payment tables. The seed is fixed (derandomize) and the budget small, so CI runs the same
examples every time, in well under a minute.
"""

from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count, Max, Sum
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, reverse
from django.urls.converters import SlugConverter, StringConverter, UUIDConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import booking.urls
import payments.urls
from booking import draft as drafts
from booking import models
from booking.backends import get_backend
from booking.demo import load_demo
from booking.port import ContactDetails, CreateBookingRequest, Slot
from payments import stripe_api

NY = ZoneInfo("America/New_York")
# The live server serves the Stripe sandbox that paying online reaches over real HTTP, as in test_stripe_sandbox.
pytestmark = [pytest.mark.usefixtures("running_clock"), pytest.mark.django_db(transaction=True)]

ROUTES = [(namespace, pattern) for namespace, module in (("booking", booking.urls), ("payments", payments.urls))
          for pattern in module.urlpatterns if isinstance(pattern, URLPattern)]
# Every parameter name the pages read, so that hostile values reach the code behind them, and some they do not.
PARAMS = ["start", "end", "staff", "event", "participants", "week", "tz", "revision", "submission_key", "payment",
          "session_id", "cursor", "services", "service", "from", "to", "date", "first_name", "last_name", "email",
          "phone", "heard_from", "notes", "first_visit", "goal", "csrfmiddlewaretoken", "page", "x", ""]
NASTY = [
    "", " ", "\x00", "a\x00b", "0", "-1", "1e309", "NaN", "inf", "99999999999999999999999999", "1.5", "true",
    "2026-02-30T25:61:00+99:00", "2026-03-02T09:00:00-05:00", "2026-03-08T02:30:00-05:00", "2026-03-02", "0000-00-00",
    "9999-12-31T23:59:59+14:00", "Europe/Nowhere", "America/New_York", "../../etc/passwd", "<script>x</script>",
    "' OR 1=1 --", "%00", "%ZZ", "any", "\u202eevil", "日本語", "🙂" * 50, "A" * 5000, "9" * 20000,
    "00000000-0000-0000-0000-000000000000", "cs_test_" + "a" * 40, "in_person", "online", "deposit", "free",
]
# The parameters most pages read; each is made hostile on its own in some examples.
COMMON = ["start", "end", "staff", "event", "participants", "week", "tz", "revision", "services"]
EXAMPLES_PER_ROUTE = 50
HOSTS = ["testserver", "evil.example", "testserver:99999", "[::1", "a" * 300]
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def value(real: list[str] = ()):
    return st.one_of(st.sampled_from(NASTY), text, *([st.sampled_from(real)] if real else []))


@st.composite
def fields(draw, world, route: str):
    """A query string or form body: one the route's pages send (a time, a session, a package, the answers, a
    revision), then up to three of the parameters the pages read replaced by hostile values or dropped, and a few
    hostile ones added."""
    values = st.one_of(value(world["real"]), st.lists(value(world["real"]), min_size=2, max_size=3))
    data = dict(draw(st.sampled_from(world["bases"].get(route, [{}]))))
    for key in draw(st.sets(st.sampled_from(sorted({*data, *COMMON})), max_size=3)):
        if key in data and draw(st.booleans()):
            del data[key]
        else:
            data[key] = draw(values)
    return {**data, **draw(st.dictionaries(st.one_of(st.sampled_from(PARAMS), text), values, max_size=2))}


def rows() -> tuple:
    """Everything a request could write to the booking and payment tables: each table's count, and the bookings'
    and sessions' revisions and last changes."""
    counts = tuple(model.objects.count() for name in ("booking", "payments")
                   for model in apps.get_app_config(name).get_models())
    bookings = models.Booking.objects.aggregate(Sum("revision"), Max("updated_at"), Count("hold_expires_at"))
    return counts, tuple(bookings.values()), tuple(models.ClassSession.objects.values_list("start", "cancelled"))


@pytest.fixture
def world(client, live_server, settings):
    """The demo studio; a browser that booked a haircut through the pages, opened its emailed link, owns a booking
    waiting for online payment and has a massage booking in progress. Returns the real values to mix in."""
    settings.STRIPE_API_BASE = live_server.url + stripe_api.SANDBOX_PREFIX
    load_demo(datetime(2026, 3, 1).date())

    engine = get_backend()
    services = {s.slug: s for s in engine.query_services()}

    def free_slot(slug):
        times = engine.list_availability_time_slots(service_id=services[slug].id,
                                                    from_local_date="2026-03-03T00:00:00",
                                                    to_local_date="2026-03-10T00:00:00")
        return next(t for t in times.time_slots if t.bookable)

    answers = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "+1 555 0199"}
    haircut = free_slot("haircut-and-style")
    start, end = (haircut.start_date.astimezone(NY).isoformat(), haircut.end_date.astimezone(NY).isoformat())
    assert client.post(reverse("booking:details", args=["haircut-and-style"]),
                       {"start": start, "end": end, "staff": "any", **answers}).status_code == 302
    review = reverse("booking:review", args=["haircut-and-style"])
    key = client.get(review).context["draft"].submission_key
    assert client.post(review, {"submission_key": key, "payment": "in_person"}).status_code == 302
    booked = models.Booking.objects.get()
    token = engine.get_anonymous_action_token(str(booked.public_id))
    assert client.get(reverse("booking:manage_link", args=[token])).status_code == 302

    massage = free_slot("deep-tissue-massage")
    unpaid = engine.create_booking(CreateBookingRequest(
        slot=Slot(massage.service_id, massage.start_date, massage.end_date, "America/New_York"),
        contact_details=ContactDetails("Bo", "", "bo@example.com"), form_submission={**answers, "email": "bo@x.org"},
        selected_payment_option="ONLINE"))
    engine.hold_booking(unpaid.id, expires_at=datetime(2026, 3, 1, 13, tzinfo=ZoneInfo("UTC")))
    session = client.session
    drafts.remember_booking(session, unpaid.id)  # as the review page does before it leaves for Stripe
    session.save()
    massage = free_slot("deep-tissue-massage")  # another time: the held one is taken
    start, end = massage.start_date.astimezone(NY).isoformat(), massage.end_date.astimezone(NY).isoformat()
    assert client.post(reverse("booking:details", args=["deep-tissue-massage"]),
                       {"start": start, "end": end, "staff": "any", **answers}).status_code == 302

    sessions = [str(s.public_id) for s in models.ClassSession.objects.all()[:3]]
    staff = [str(pk) for pk in models.StaffMember.objects.values_list("pk", flat=True)]
    appointments = [s.id for s in services.values() if s.type == "APPOINTMENT"]
    choice = {"start": start, "end": end, "staff": "any"}
    # The first of each list is the richest: the one the sweep below starts from.
    booking_pages = [{**choice, **answers, "tz": "America/Chicago"}, {"participants": "1", **answers},
                     {"event": sessions[0], "participants": "2", **answers},
                     {"submission_key": key, "payment": "in_person"},
                     {"week": "2026-03-09", "staff": staff[0], "tz": "Asia/Tokyo"}]
    revision = str(booked.revision)
    manage_pages = [{"revision": revision, **choice, "tz": "Asia/Tokyo"}, {"revision": revision}, choice,
                    {"event": sessions[0]}, {"week": "2026-03-09", "staff": "any"}]
    package_pages = [{"services": appointments[:2], "start": start, "tz": "Europe/Paris", **answers},
                     {"services": appointments[:2]}, {"services": appointments[:2], "week": "2026-03-09"},
                     {"submission_key": key}]
    bases = {"services": [{}], "slots": booking_pages, "details": booking_pages, "review": booking_pages,
             "manage": manage_pages, "manage_cancel": manage_pages, "manage_reschedule": manage_pages,
             "packages": package_pages, "package_times": package_pages, "package_details": package_pages,
             "package_review": package_pages, "stripe_return": [{"session_id": "cs_test_abc"}]}
    return {
        "owner": (dict(client.session.items()), {c.key: c.value for c in client.cookies.values()
                                                 if c.key.startswith("manage_")}),
        "draft": ({drafts.SESSION_KEY: client.session[drafts.SESSION_KEY]}, {}),
        "bases": bases,
        "slugs": list(services),
        "ids": [str(booked.public_id), unpaid.id, str(UUID(int=1))],
        "tokens": [token, token[:-1] + "A", "x" * 43],
        "real": [*sessions, *staff, str(booked.public_id), token, start, end, "2026-03-09", str(booked.revision),
                 key],
    }


def browser(world, state: str, csrf: bool) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if state != "fresh":
        data, cookies = world[state]
        store = SessionStore()
        store.update(data)
        store.save()
        client.cookies[django_settings.SESSION_COOKIE_NAME] = store.session_key
        for name, cookie in cookies.items():
            client.cookies[name] = cookie
    return client


@st.composite
def requests(draw, world, route):
    namespace, pattern = route
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        if isinstance(converter, UUIDConverter):
            kwargs[name] = draw(st.one_of(st.sampled_from(world["ids"]), st.uuids().map(str)))
        elif isinstance(converter, SlugConverter):
            real = st.sampled_from(world["slugs"])
            kwargs[name] = draw(st.one_of(real, real, real, st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True)))
        else:
            assert isinstance(converter, StringConverter), converter
            kwargs[name] = draw(st.one_of(st.sampled_from(world["tokens"]), st.sampled_from(NASTY), text))
    try:
        path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
    except NoReverseMatch:  # a value the route's own pattern refuses (a "/" in a token, an empty one)
        path = reverse(f"{namespace}:{pattern.name}", kwargs={**kwargs, **{
            name: "x" for name, c in pattern.pattern.converters.items() if isinstance(c, StringConverter)}})
    headers = {}
    if draw(st.booleans()):
        headers.update({"HX-Request": "true", "HX-Target": draw(value(["picker", "main"])),
                        "HX-Current-URL": draw(value([path]))})
    if draw(st.booleans()):
        headers.update(draw(st.dictionaries(st.sampled_from(
            ["Accept-Language", "Referer", "User-Agent", "X-Forwarded-For", "X-Forwarded-Proto", "Origin",
             "Content-Type"]), value().map(lambda v: v.replace("\x00", "")[:2000]), max_size=3)))
    return {
        "method": draw(st.sampled_from(["get", "post"])),
        "path": path,
        "query": draw(fields(world, pattern.name)),
        "body": draw(fields(world, pattern.name)),
        "headers": headers,
        "host": draw(st.sampled_from(HOSTS)) if draw(st.integers(0, 9)) == 0 else "testserver",
        "state": draw(st.sampled_from(["fresh", "draft", "owner"])),
        "csrf": draw(st.integers(0, 4)) == 0,
    }


@pytest.mark.parametrize("route", ROUTES, ids=[f"{namespace}:{pattern.name}" for namespace, pattern in ROUTES])
def test_hostile_requests_get_no_5xx_and_a_4xx_writes_nothing(world, route):
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(request=requests(world, route))
    def check(request):
        client = browser(world, request["state"], request["csrf"])
        before = rows()
        url = request["path"] + "?" + urlencode(request["query"], doseq=True)
        send = getattr(client, request["method"])
        extra = {"headers": request["headers"], "HTTP_HOST": request["host"]}
        response = send(url, request["body"], **extra) if request["method"] == "post" else send(url, **extra)
        assert response.status_code < 500, (request, response.status_code)
        if 400 <= response.status_code < 500:
            assert rows() == before, (request, response.status_code)

    check()


# One value that no parameter can take: not a zone, number, date, id, slug or token, with a NUL PostgreSQL refuses.
SWEEP_SLUGS = ["deep-tissue-massage", "haircut-and-style", "vinyasa-flow", "pilates-foundations"]
ANSWERS = {"first_name", "last_name", "email", "phone"}
GARBAGE = "\x00'\"<x>☃"


def test_one_hostile_parameter_at_a_time(world):
    """The sweep behind the random examples: every route (every real service for a service's pages), from the
    browser that booked and holds a booking in progress, with the route's first usual parameters, each parameter
    the pages read made hostile in turn. An error page that reads another parameter while it explains the first
    problem (a time just taken, shown with the times of a zone that does not exist) shows up here."""
    for namespace, pattern in ROUTES:
        base = world["bases"].get(pattern.name, [{}])[0]
        for kwargs in _sweep_arguments(world, pattern):
            path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
            for key in sorted({*base, *COMMON} - ANSWERS):  # the answers are the forms' to check: random above
                data = {**base, key: GARBAGE}
                for method in ("get", "post"):
                    client = browser(world, "owner", csrf=False)
                    before = rows()
                    url = f"{path}?{urlencode(data, doseq=True)}" if method == "get" else path
                    response = client.get(url) if method == "get" else client.post(url, data)
                    assert response.status_code < 500, (method, path, key, response.status_code)
                    if 400 <= response.status_code < 500:
                        assert rows() == before, (method, path, key, response.status_code)


def _sweep_arguments(world, pattern) -> list[dict]:
    converters = pattern.pattern.converters
    if not converters:
        return [{}]
    if any(isinstance(c, SlugConverter) for c in converters.values()):
        # A service of each kind; the chosen time is the massage's, so the haircut's is one that is gone.
        return [{name: slug} for name in converters for slug in SWEEP_SLUGS]
    if any(isinstance(c, UUIDConverter) for c in converters.values()):
        return [{name: world["ids"][0]} for name in converters] + [{name: world["ids"][1]} for name in converters]
    return [{name: world["tokens"][0]} for name in converters]


def test_the_error_pages_render_without_a_request_or_their_variables():
    """What the error handlers and the views' error paths render must not raise, whatever is missing."""
    from django.template.loader import render_to_string

    for name in ("400.html", "403.html", "404.html", "500.html", "booking/error.html", "booking/manage_error.html"):
        html = render_to_string(name)
        assert "<html" in html, name
        html = render_to_string(name, {"message": "\x00<script>", "booking": None, "business": None})
        assert "<script>" not in html, name


def test_djangos_error_handlers_render_our_pages(rf):
    """The handlers Django calls for a bad request, a refusal, a missing page and a crash, with a hostile path."""
    from django.core.exceptions import PermissionDenied, SuspiciousOperation
    from django.http import Http404
    from django.views import defaults

    request = rf.get("/\x00<script>/%ZZ", HTTP_HX_REQUEST="true")
    pages = [(defaults.bad_request(request, SuspiciousOperation("x")), 400, "That request didn't make sense to us"),
             (defaults.permission_denied(request, PermissionDenied()), 403, "That request was refused"),
             (defaults.page_not_found(request, Http404("x")), 404, "We couldn't find that page"),
             (defaults.server_error(request), 500, "Something went wrong on our side")]
    for response, status, heading in pages:
        assert response.status_code == status
        html = response.content.decode()
        assert heading in html and "<script>" not in html


def test_the_browsers_the_examples_start_from_reach_the_pages_behind_the_checks(world):
    """Otherwise the examples would only ever meet "not found": the owner's browser opens its booking and its
    payment page, the one with a booking in progress its review page."""
    booked, unpaid, _ = world["ids"]
    owner = browser(world, "owner", csrf=False)
    assert owner.get(reverse("booking:manage", args=[booked])).status_code == 200
    assert owner.get(reverse("payments:booking_payment", args=[unpaid])).status_code == 200
    draft = browser(world, "draft", csrf=False)
    assert draft.get(reverse("booking:review", args=["deep-tissue-massage"])).status_code == 200
    assert browser(world, "fresh", csrf=False).get(reverse("booking:manage", args=[booked])).status_code == 404


def test_the_crash_page_renders_without_the_static_files_manifest(settings, tmp_path):
    """Production names static files through collectstatic's manifest; a deployment that lacks it must still get
    its crash page, not a second error."""
    from django.template.loader import render_to_string

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert 'href="/static/css/site.css"' in html
