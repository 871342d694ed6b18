"""Browser journeys beyond a single appointment: a class session, a whole course, a package of treatments, the
"Show times in" time-zone switch (with and without JavaScript) and booking a class with the keyboard alone.

Each journey runs in a real Chromium against a live server with the demo business, and checks both what the
customer sees and the bookings the engine stored. Dates come from the pages, since the demo follows today.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from booking import models
from booking.backends import get_backend
from booking.demo import TIME_ZONE
from booking.port import ContactDetails, CreateBookingRequest, Slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo(TIME_ZONE)
LONDON = ZoneInfo("Europe/London")
SPOTS = re.compile(r"(\d+) spots? left")


# ---- helpers ---------------------------------------------------------------------------------------------------


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def open_from_home(page: Page, base_url: str, link: str) -> None:
    page.goto(base_url + "/")
    expect_heading(page, "Book online")
    page.get_by_role("link", name=link).click()


def fill_contact(page: Page, phone_label: str = "Phone") -> None:
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label(phone_label).fill("+1 212 555 0101")


def summary_value(page: Page, term: str) -> Locator:
    """The <dd> next to a <dt> of the booking summary."""
    return page.locator("dl.summary > div").filter(has=page.locator("dt", has_text=term)).locator("dd")


def session_row(page: Page, book_label: str) -> Locator:
    """The session on a class page whose Book link has this accessible name."""
    return page.locator("li.session").filter(has=page.get_by_role("link", name=book_label, exact=True))


def spots_left(row: Locator) -> int:
    match = SPOTS.fullmatch(row.locator(".session__spots").inner_text().strip())
    assert match, row.inner_text()
    return int(match.group(1))


def next_vinyasa_session() -> models.ClassSession:
    """The first Vinyasa flow session that can still be booked (bookings close 30 minutes before class)."""
    session = (models.ClassSession.objects.filter(service__slug="vinyasa-flow", cancelled=False,
                                                  start__gt=timezone.now() + timedelta(hours=1))
               .order_by("start").first())
    assert session is not None, "the demo has no upcoming Vinyasa flow session"
    return session


def book_places(session: models.ClassSession, participants: int) -> None:
    """Take places in a session through the engine, as another customer would."""
    backend = get_backend()
    now = timezone.now()
    booking = backend.create_booking(CreateBookingRequest(
        slot=Slot(str(session.service_id), now, now, TIME_ZONE, event_id=str(session.public_id)),
        contact_details=ContactDetails("Alan", "Turing", "alan@example.com"),
        form_submission={"first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"},
        total_participants=participants, selected_payment_option="OFFLINE",
    ))
    assert backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID").status == "CONFIRMED"


def book_label(session: models.ClassSession) -> str:
    """The accessible name of a session's Book link, shown in New York time."""
    start = session.start.astimezone(NEW_YORK)
    return f"Book Vinyasa flow on {start:%A} {start.day} {start:%B} at {_clock(start)}"


def _clock(moment: datetime) -> str:
    """Django's "g:i A": 6:30 PM."""
    return f"{moment.hour % 12 or 12}:{moment:%M} {moment:%p}"


@contextmanager
def browser_page(browser: Browser, **options) -> Iterator[Page]:
    """A page in a browser context of its own: no JavaScript, another time zone."""
    context = browser.new_context(**options)
    try:
        yield context.new_page()
    finally:
        context.close()


def tab_to(page: Page, selector: str, presses: int = 80) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def slot_times(slot: Locator) -> tuple[datetime, str, str]:
    """An appointment slot's start (from its link), the time it shows, and the "ours" time under it."""
    start = datetime.fromisoformat(parse_qs(urlsplit(slot.get_attribute("href")).query)["start"][0])
    ours = slot.locator(".slot__ours").inner_text().strip()
    shown = slot.inner_text().replace(ours, "").strip()
    return start, shown, ours


def expect_london_times(page: Page) -> None:
    expect(page.locator(".hint")).to_contain_text("Times are in Europe/London")
    expect(page.locator(".hint")).to_contain_text(f"({TIME_ZONE})")
    expect(page.get_by_label("Show times in")).to_have_value("Europe/London")
    slots = page.locator("a.slot")
    expect(slots.first).to_be_visible()
    for index in range(min(slots.count(), 5)):
        start, shown, ours = slot_times(slots.nth(index))
        assert ours.endswith(" ours")
        assert start.utcoffset() == start.astimezone(LONDON).utcoffset()
        assert shown == _clock(start.astimezone(LONDON))
        assert ours == f"{_clock(start.astimezone(NEW_YORK))} ours"
    start, shown, ours = slot_times(slots.first)
    ahead = start.astimezone(LONDON).utcoffset() - start.astimezone(NEW_YORK).utcoffset()
    assert ahead in (timedelta(hours=4), timedelta(hours=5))
    london = datetime.strptime(shown, "%I:%M %p")
    new_york = datetime.strptime(ours.removesuffix(" ours"), "%I:%M %p")
    assert (london - new_york) % timedelta(days=1) == ahead


# ---- classes ---------------------------------------------------------------------------------------------------


def test_a_customer_books_two_places_in_a_class(page: Page, demo, console_errors):
    open_from_home(page, demo, "Vinyasa flow")
    expect_heading(page, "Vinyasa flow")
    expect(page.locator(".session__spots").filter(has_text=SPOTS).first).to_be_visible()

    book = page.locator("a.session__book").first
    label = book.get_attribute("aria-label")
    day, at = re.fullmatch(r"Book Vinyasa flow on (.+) at (.+)", label).groups()
    before = spots_left(session_row(page, label))
    book.click()

    expect_heading(page, "Your details")
    expect(summary_value(page, "When")).to_contain_text(day)
    expect(summary_value(page, "When")).to_contain_text(at)
    expect(summary_value(page, "Places left")).to_have_text(str(before))
    page.get_by_label("Number of participants").select_option("2")
    fill_contact(page)
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Review your booking")
    expect(page.get_by_text(f"There are still {before} places left.")).to_be_visible()
    expect(summary_value(page, "Service")).to_have_text("Vinyasa flow")
    expect(summary_value(page, "When")).to_contain_text(day)
    expect(summary_value(page, "When")).to_contain_text(at)
    expect(summary_value(page, "With")).to_have_text("Sam Okafor")
    expect(summary_value(page, "Participants")).to_have_text("2")
    expect(summary_value(page, "Price")).to_have_text("$44.00")  # $22.00 for each of two
    expect(summary_value(page, "Email")).to_have_text("grace@example.com")
    page.get_by_role("button", name="Book now").click()

    expect_heading(page, "You're booked")
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    expect(summary_value(page, "Participants")).to_have_text("2")
    expect(summary_value(page, "Name")).to_have_text("Grace Hopper")

    booking = models.Booking.objects.get()
    assert (booking.status, booking.total_participants) == ("CONFIRMED", 2)
    assert booking.session is not None and booking.session.service.slug == "vinyasa-flow"
    assert (booking.start, booking.end) == (booking.session.start, booking.session.end)
    assert label == book_label(booking.session)
    assert (booking.first_name, booking.email) == ("Grace", "grace@example.com")

    page.goto(demo + "/services/vinyasa-flow/")
    expect(session_row(page, label).locator(".session__spots")).to_have_text(f"{before - 2} spots left")
    assert console_errors == []


def test_a_full_session_says_so_and_cannot_be_booked(page: Page, demo, backend):
    session = next_vinyasa_session()
    session.capacity = 3
    session.save(update_fields=["capacity"])
    book_places(session, 3)

    label = book_label(session)
    start = session.start.astimezone(NEW_YORK)
    page.goto(demo + "/services/vinyasa-flow/")
    page.get_by_role("link", name=re.compile(rf"^{start:%A} {start.day} {start:%B}, ")).click()
    expect(page.locator("#times-heading")).to_have_text(f"{start:%A} {start.day} {start:%B}")
    row = page.locator("#times li.session").filter(
        has=page.locator(".session__time", has_text=re.compile(rf"^{re.escape(_clock(start))}")))
    expect(row).to_have_count(1)
    expect(row.locator(".session__spots")).to_have_text("Full")
    # No Book link. The demo's classes take a waitlist, which only the local engine keeps: its link instead.
    if backend == "local":
        expect(row.get_by_role("link")).to_have_text(["Join the waitlist"])
    else:
        expect(row.get_by_role("link")).to_have_count(0)
    expect(page.get_by_role("link", name=label)).to_have_count(0)

    # A Book link kept from earlier leads to a clear message, not to the form.
    page.goto(demo + f"/services/vinyasa-flow/details/?event={session.public_id}")
    expect(page.get_by_text("Sorry, this session is full.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_count(0)


def test_a_keyboard_user_books_a_class(page: Page, demo):
    page.goto(demo + "/services/vinyasa-flow/")
    expect_heading(page, "Vinyasa flow")
    tab_to(page, "a.session__book")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")

    expect_heading(page, "Your details")
    tab_to(page, "#participants")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Number of participants")).to_have_value("2")
    for selector, text in [("#id_first_name", "Grace"), ("#id_last_name", "Hopper"),
                           ("#id_email", "grace@example.com")]:
        tab_to(page, selector, presses=3)
        page.keyboard.type(text)
    page.keyboard.press("Enter")

    expect_heading(page, "Review your booking")
    expect(summary_value(page, "Participants")).to_have_text("2")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    expect_heading(page, "You're booked")
    booking = models.Booking.objects.get()
    assert (booking.status, booking.total_participants) == ("CONFIRMED", 2)
    assert label == book_label(booking.session)


# ---- courses ---------------------------------------------------------------------------------------------------


def test_a_customer_books_a_whole_course(page: Page, demo, console_errors):
    sessions = list(models.ClassSession.objects.filter(service__slug="pilates-foundations").order_by("start"))
    assert len(sessions) == 6
    first, last = (s.start.astimezone(NEW_YORK) for s in (sessions[0], sessions[-1]))

    open_from_home(page, demo, "Pilates foundations (6 weeks)")
    expect_heading(page, "Pilates foundations (6 weeks)")
    expect(page.locator("ol.course-sessions > li")).to_have_count(6)
    expect(page.locator("ol.course-sessions > li").first).to_contain_text(
        f"{first:%A} {first.day} {first:%B %Y}, {_clock(first)}")
    expect(page.locator("ol.course-sessions > li").last).to_contain_text(f"{last:%A} {last.day} {last:%B %Y}")
    expect(page.get_by_text("8 places left of 8.")).to_be_visible()
    page.get_by_role("button", name="Book the whole course").click()

    expect_heading(page, "Your details")
    expect(summary_value(page, "When")).to_contain_text("6 sessions")
    fill_contact(page)
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Review your booking")
    expect(summary_value(page, "When")).to_contain_text(
        f"6 sessions, {first:%A} {first.day} {first:%B} to {last:%A} {last.day} {last:%B %Y}")
    expect(summary_value(page, "Places left")).to_have_text("8")
    page.get_by_role("button", name="Book now").click()

    expect_heading(page, "You're booked")
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()

    booking = models.Booking.objects.get()
    assert booking.status == "CONFIRMED"
    assert booking.session is None and booking.service.slug == "pilates-foundations"
    assert (booking.start, booking.end) == (sessions[0].start, sessions[-1].end)

    page.goto(demo + "/services/pilates-foundations/")
    expect(page.get_by_text("7 places left of 8.")).to_be_visible()
    assert console_errors == []


# ---- packages --------------------------------------------------------------------------------------------------

PACKAGE = ("Free consultation", "Haircut & style")


def test_a_customer_books_a_package_back_to_back(page: Page, demo, console_errors):
    open_from_home(page, demo, "build a package")
    expect_heading(page, "Build a package")
    for name in PACKAGE:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Show times").click()

    expect_heading(page, "Your package")
    expect(page.locator(".service-facts")).to_contain_text(" → ".join(PACKAGE))
    slot = page.locator("a.slot").first
    chosen = slot.get_attribute("aria-label")
    slot.click()

    expect_heading(page, "Your details")
    parts = page.locator("ol.package-parts > li")
    expect(parts).to_have_count(2)
    fill_contact(page)
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Review your package")
    expect(parts).to_have_count(2)
    for part, name in zip(parts.all(), PACKAGE, strict=True):
        expect(part).to_contain_text(name)
    day, start = re.fullmatch(r"(.+) from (.+) to .+", chosen).groups()
    expect(parts.first).to_contain_text(f"{day}, {start}")
    page.get_by_role("button", name="Book the package").click()

    expect_heading(page, "Your package is booked")
    expect(parts).to_have_count(2)
    for part, name in zip(parts.all(), PACKAGE, strict=True):
        expect(part).to_contain_text(name)
        expect(part).to_contain_text("Confirmed")

    first, second = models.Booking.objects.order_by("start")
    assert [first.service.name, second.service.name] == list(PACKAGE)
    assert first.multi_service_booking is not None
    assert first.multi_service_booking == second.multi_service_booking
    assert second.start == first.end
    assert {first.status, second.status} == {"CONFIRMED"}
    assert page.url.rstrip("/").endswith(str(first.multi_service_booking))
    assert console_errors == []


# ---- time zones ------------------------------------------------------------------------------------------------


def test_times_switch_to_london_in_place_with_htmx(page: Page, demo, console_errors):
    page.goto(demo + "/services/haircut-and-style/")
    expect(page.locator(".hint")).to_have_text(f"Times are in {TIME_ZONE}.")
    page.get_by_label("Show times in").select_option("Europe/London")
    expect(page).to_have_url(re.compile(r"tz=Europe%2FLondon"))
    expect_london_times(page)
    assert console_errors == []


def test_times_switch_to_london_without_javascript(browser: Browser, demo):
    with browser_page(browser, java_script_enabled=False) as page:
        page.goto(demo + "/services/haircut-and-style/")
        page.get_by_label("Show times in").select_option("Europe/London")
        page.get_by_role("button", name="Show times").click()
        expect(page).to_have_url(re.compile(r"tz=Europe%2FLondon"))
        expect_london_times(page)


def test_the_browsers_own_time_zone_is_offered(browser: Browser, demo):
    with browser_page(browser, timezone_id="Australia/Sydney") as page:
        page.goto(demo + "/services/haircut-and-style/")
        expect(page.locator(".hint")).to_have_text(f"Times are in {TIME_ZONE}.")
        use_mine = page.get_by_role("button", name="Use my time zone (Australia/Sydney)")
        expect(use_mine).to_be_visible()
        use_mine.click()
        expect(page).to_have_url(re.compile(r"tz=Australia%2FSydney"))
        expect(page.locator(".hint")).to_contain_text("Times are in Australia/Sydney")
        expect(page.get_by_label("Show times in")).to_have_value("Australia/Sydney")
        expect(page.locator("a.slot .slot__ours").first).to_be_visible()
        expect(use_mine).to_have_count(0)
        # Another zone from the list brings the offer back.
        page.get_by_label("Show times in").select_option("Europe/London")
        expect_london_times(page)
        expect(use_mine).to_be_visible()


@pytest.mark.parametrize("options", [{"java_script_enabled": False}, {"timezone_id": TIME_ZONE}],
                         ids=["no-javascript", "browser-in-new-york"])
def test_the_use_my_time_zone_button_stays_hidden_when_it_has_nothing_to_offer(browser: Browser, demo, options):
    with browser_page(browser, **options) as page:
        page.goto(demo + "/services/haircut-and-style/")
        expect(page.locator(".hint")).to_have_text(f"Times are in {TIME_ZONE}.")
        expect(page.locator("[data-use-browser-zone]")).to_be_hidden(timeout=2000)
