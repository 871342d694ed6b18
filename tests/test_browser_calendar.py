"""The month calendar of a service's page in a real Chromium against the demo business: an appointment and a class
chosen from it on a phone (390 × 844) and on a desktop, with and without JavaScript, with times in the customer's
zone (London) beside ours. On a phone the page must not scroll sideways and the first open time must come within
the first two screens; every time's label must fit its button."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from booking import models
from booking.demo import TIME_ZONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK, LONDON = ZoneInfo(TIME_ZONE), ZoneInfo("Europe/London")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@contextmanager
def customer(browser: Browser, viewport: str, javascript: bool) -> Iterator[tuple[Page, list[str]]]:
    """A page in a browser in London, at this viewport, with JavaScript on or off; and the errors it logs (a
    Content Security Policy violation is one)."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=javascript,
                                  timezone_id="Europe/London", is_mobile=viewport == "phone",
                                  has_touch=viewport == "phone")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page, errors
    finally:
        context.close()


def clock(moment: datetime) -> str:
    """Django's "g:i A": 6:30 PM."""
    return f"{moment.hour % 12 or 12}:{moment:%M} {moment:%p}"


def day_words(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B}"


def expect_it_fits(page: Page, viewport: str, first_time: str) -> None:
    """No sideways scrolling; no label wider than its button; on a phone, the first open time within two screens."""
    sizes = page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth, width: window.innerWidth,
        overflowing: [...document.querySelectorAll('.slot, .session, .calendar, .times')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.outerHTML.slice(0, 120)),
    })""")
    assert sizes["scroll"] <= sizes["width"], sizes
    assert sizes["overflowing"] == [], sizes["overflowing"]
    top = page.locator(first_time).first.evaluate("el => el.getBoundingClientRect().top + window.scrollY")
    if viewport == "phone":
        assert top < 2 * VIEWPORTS["phone"]["height"], f"the first open time starts {top} px down"


def choose_a_later_day(page: Page, javascript: bool) -> str:
    """Click the calendar's second day with times; returns its name ("Friday 4 December")."""
    if javascript:
        page.evaluate("document.querySelector('.calendar').dataset.kept = 'yes'")
    later = page.locator("a.calendar__day--open").nth(1)
    day = later.get_attribute("aria-label").split(",")[0]
    later.click()
    expect(page.locator("#times-heading")).to_have_text(day)
    expect(page.locator("a.calendar__day[aria-current=true]")).to_have_attribute("aria-label", re.compile(f"^{day},"))
    # With htmx only the day's times change; without JavaScript the link loads the page with that day.
    expect(page.locator(".calendar[data-kept=yes]")).to_have_count(1 if javascript else 0)
    expect(page).to_have_url(re.compile(r"\?month=\d{4}-\d{2}&day=\d{4}-\d{2}-\d{2}(&staff=any)?&tz=Europe%2FLondon$"))
    return day


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_appointment_is_chosen_from_the_calendar(browser: Browser, demo, viewport, javascript):
    with customer(browser, viewport, javascript) as (page, errors):
        page.goto(demo + "/services/haircut-and-style/?tz=Europe/London")
        expect(page.locator("#picker-heading")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{4}$"))
        expect(page.locator("a.calendar__day[aria-current=true]")).to_have_count(1)
        expect_it_fits(page, viewport, "#times a.slot")

        day = choose_a_later_day(page, javascript)
        expect_it_fits(page, viewport, "#times a.slot")
        slot = page.locator("#times a.slot").first
        start = datetime.fromisoformat(parse_qs(urlsplit(slot.get_attribute("href")).query)["start"][0])
        ours = f"{clock(start.astimezone(NEW_YORK))} ours"
        assert day_words(start.astimezone(LONDON)) == day
        expect(slot).to_have_text(f"{clock(start.astimezone(LONDON))}{ours}")
        expect(slot.locator(".slot__ours")).to_have_text(ours)
        slot.click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
        when = page.locator("dl.summary > div").filter(has=page.locator("dt", has_text="When")).locator("dd")
        expect(when).to_contain_text(f"{day_words(start.astimezone(NEW_YORK))} {start.year}, "
                                     f"{clock(start.astimezone(NEW_YORK))}")
        assert errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_class_session_is_chosen_from_the_calendar(browser: Browser, demo, viewport, javascript):
    with customer(browser, viewport, javascript) as (page, errors):
        page.goto(demo + "/services/vinyasa-flow/?tz=Europe/London")
        expect_it_fits(page, viewport, "#times a.session__book")

        day = choose_a_later_day(page, javascript)
        expect_it_fits(page, viewport, "#times a.session__book")
        session = page.locator("#times li.session").filter(has=page.locator("a.session__book")).first
        expect(session.locator(".session__staff")).to_have_text(re.compile(r"^with \S+"))
        expect(session.locator(".session__spots")).to_have_text(re.compile(r"^\d+ spots? left\s*$"))
        book = session.locator("a.session__book")
        label = book.get_attribute("aria-label")
        at = re.fullmatch(rf"Book Vinyasa flow on {day} at (\d+:\d\d [AP]M)", label).group(1)
        expect(session.locator(".session__time")).to_contain_text(at)
        expect(session.locator(".session__time .slot__ours")).to_have_text(re.compile(r"^\d+:\d\d [AP]M ours$"))
        book.click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
        event = parse_qs(urlsplit(page.url).query)["event"][0]
        start = models.ClassSession.objects.get(public_id=event).start
        assert (day_words(start.astimezone(LONDON)), clock(start.astimezone(LONDON))) == (day, at)
        assert errors == []


def test_a_keyboard_user_pages_the_months_and_books_a_class(page: Page, demo, console_errors):
    page.goto(demo + "/services/vinyasa-flow/")
    heading = page.locator("#picker-heading")
    this_month = heading.inner_text()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "month-next":
            break
    else:
        raise AssertionError("Tab never reached the next month")
    page.keyboard.press("Enter")
    expect(heading).not_to_have_text(this_month)
    expect(page.locator("#month-next")).to_be_focused()  # the swapped calendar keeps the keyboard's place
    for _ in range(40):  # on into the grid, to the second day with sessions
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.calendar__day--open:not([aria-current])')"):
            break
    else:
        raise AssertionError("Tab never reached a day with sessions")
    day = page.evaluate("document.activeElement.getAttribute('aria-label')").split(",")[0]
    page.keyboard.press("Enter")
    expect(page.locator("#times-heading")).to_have_text(day)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.session__book')"):
            break
    else:
        raise AssertionError("Tab never reached a session")
    assert f" on {day} at " in page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    assert console_errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_kept_page_and_its_kept_day_work_as_rendered_afresh(browser: Browser, demo, settings, javascript):
    """With the availability cache on, as deployed, the page and the day htmx swaps come kept rendered
    (booking/page_cache.py) the second time: they work the same, with no console or CSP error."""
    settings.AVAILABILITY_CACHE = True
    with customer(browser, "phone", javascript) as (page, errors):
        for _ in range(2):  # rendered and kept, then from what was kept
            page.goto(demo + "/services/haircut-and-style/?tz=Europe/London")
            expect_it_fits(page, "phone", "#times a.slot")
            day = choose_a_later_day(page, javascript)
        page.reload()
        expect(page.locator("#times-heading")).to_have_text(day)
        expect_it_fits(page, "phone", "#times a.slot")
        page.locator("#times a.slot").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
        assert errors == []
