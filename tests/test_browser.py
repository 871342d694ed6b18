"""A customer books in a real Chromium against a live server, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import Page, expect

from booking import models

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def book_haircut(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_text("Juniper & Pine Wellness Studio").first).to_be_visible()
    page.get_by_role("link", name="Haircut & style").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Haircut & style")

    # The day's last time: its first can pass the "an hour ahead" limit between this page and the next.
    page.locator("a.slot").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Mobile phone").fill("+1 212 555 0100")
    page.get_by_label("Instagram").check()
    page.get_by_label("Anything we should know?").fill("Short at the back, please.")
    page.get_by_label("This is my first visit").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your booking")
    expect(page.get_by_text("Short at the back, please.")).to_be_visible()
    page.get_by_role("button", name="Book now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    expect(page.get_by_text("Luis Ortega")).to_be_visible()
    expect(page.get_by_text("Bedford Avenue studio").first).to_be_visible()


def test_a_customer_books_an_appointment_from_the_home_page(page: Page, demo, console_errors):
    book_haircut(page, demo)
    booking = models.Booking.objects.get()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "NOT_PAID")
    assert booking.form_submission["heard_from"] == "Instagram"
    assert console_errors == []


def open_days(page: Page):
    """The calendar's days with times to choose."""
    return page.locator("table.calendar__grid a.calendar__day--open")


def test_the_month_and_the_day_change_in_place_with_htmx(page: Page, demo, console_errors):
    page.goto(demo + "/services/haircut-and-style/")
    heading = page.locator("#picker-heading")
    this_month = heading.inner_text()
    page.get_by_role("link", name=re.compile(r"^Next month, ")).click()
    expect(heading).not_to_have_text(this_month)
    expect(page).to_have_url(re.compile(r"month=\d{4}-\d{2}"))
    expect(page.locator("#month-next")).to_be_focused()  # the swap keeps the keyboard where it was
    # Screen readers hear what changed, from the live region outside the swapped picker.
    status = page.locator("#picker-status[role=status]")
    month = page.locator("#picker-heading").inner_text()
    expect(status).to_have_text(re.compile(rf"^{month}\. \w+ \d+ \w+: \d+ times?\.$"))

    # A day swaps only the times: the calendar stays the same element, and marks the new day.
    page.evaluate("document.querySelector('.calendar').dataset.kept = 'yes'")
    second = open_days(page).nth(1)
    label = second.get_attribute("aria-label")
    second.click()
    day_name = label.split(",")[0]
    expect(page.locator("#times-heading")).to_have_text(day_name)
    expect(page).to_have_url(re.compile(r"day=\d{4}-\d{2}-\d{2}"))
    expect(page.locator(".calendar[data-kept=yes]")).to_have_count(1)
    expect(page.locator("a.calendar__day[aria-current=true]")).to_have_attribute("aria-label", label)
    expect(page.locator("a.calendar__day[aria-current]")).to_have_count(1)
    expect(status).to_have_text(f"{day_name}: {page.locator('#times a.slot').count()} times.")
    expect(page.locator("#picker-status")).to_have_count(1)

    # The staff filter keeps the day (it rides along in the form), and swaps the picker.
    page.get_by_label("Staff member").select_option(label="Luis Ortega")
    expect(page).to_have_url(re.compile(r"staff=\d+"))
    expect(page).to_have_url(re.compile(r"day=\d{4}-\d{2}-\d{2}"))
    expect(page.locator("#times-heading")).to_have_text(day_name)
    expect(page.locator("a.slot").first).to_be_visible()

    # Back in history: the whole page again, as it was before the staff change.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Haircut & style")
    expect(page.get_by_label("Staff member")).to_have_value("any")
    expect(page.locator("#times-heading")).to_have_text(day_name)
    expect(page.locator("header.site-header")).to_have_count(1)
    assert console_errors == []


def test_booking_works_with_javascript_off(browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo + "/services/haircut-and-style/")
    page.get_by_role("link", name=re.compile(r"^Next month, ")).click()
    expect(page).to_have_url(re.compile(r"month=\d{4}-\d{2}&staff=any$"))
    label = open_days(page).nth(1).get_attribute("aria-label")
    open_days(page).nth(1).click()
    expect(page).to_have_url(re.compile(r"month=\d{4}-\d{2}&day=\d{4}-\d{2}-\d{2}&staff=any$"))
    expect(page.locator("#times-heading")).to_have_text(label.split(",")[0])
    page.get_by_label("Staff member").select_option(label="Luis Ortega")
    page.get_by_role("button", name="Show times").click()
    expect(page).to_have_url(re.compile(r"staff=\d+"))
    expect(page.locator("#times-heading")).to_have_text(label.split(",")[0])  # the form kept the day
    book_haircut(page, demo)
    context.close()
    assert models.Booking.objects.filter(status="CONFIRMED").count() == 1


def test_a_keyboard_user_can_pick_a_day_and_a_time(page: Page, demo):
    page.goto(demo + "/services/haircut-and-style/")
    label = open_days(page).nth(2).get_attribute("aria-label")
    for _ in range(80):  # Tab to the calendar's third open day
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == label:
            break
    else:
        raise AssertionError("Tab never reached the calendar")
    page.keyboard.press("Enter")
    expect(page.locator("#times-heading")).to_have_text(label.split(",")[0])
    for _ in range(80):  # on to the day's first time, past the rest of the calendar
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.slot')"):
            break
    else:
        raise AssertionError("Tab never reached a time")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.locator("dl.summary")).to_contain_text(label.split(",")[0])


def test_a_customer_books_a_free_consultation(page: Page, demo, console_errors):
    page.goto(demo + "/")
    page.get_by_role("link", name="Free consultation").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Free consultation")
    page.locator("a.slot").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your booking")
    page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    booking = models.Booking.objects.get()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "EXEMPT")
    assert console_errors == []
