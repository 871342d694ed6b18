"""A customer books, then reschedules and cancels from the link in their email, in a real Chromium against a live
server with the demo business. The live server runs in this process, so its emails land in Django's test outbox."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from booking import models

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_customer_reschedules_and_cancels_from_the_emailed_link(page: Page, demo, settings, console_errors):
    settings.SITE_URL = demo
    # Next month's first time: well before the policy's windows close (24 hours to cancel, 12 to move).
    page.goto(demo + "/services/haircut-and-style/")
    this_month = page.locator("#picker-heading").inner_text()
    page.get_by_role("link", name=re.compile(r"^Next month, ")).click()
    expect(page.locator("#picker-heading")).not_to_have_text(this_month)  # htmx has swapped the month in
    page.locator("a.slot").first.click()
    expect_heading(page, "Your details")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Mobile phone").fill("+1 212 555 0100")
    page.get_by_label("Instagram").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Book now").click()
    expect_heading(page, "You're booked")
    expect(page.get_by_text("We emailed a link to change or cancel this booking to ada@example.com.")).to_be_visible()

    [email] = customer_emails()  # the business is told too, at its own address
    assert email.to == ["ada@example.com"] and email.subject == "Your booking is confirmed: Haircut & style"
    link = re.search(rf"{re.escape(demo)}/manage/\S+/", email.body).group(0)

    page.goto(link)
    expect_heading(page, "Your booking")
    assert link.split("/")[-2] not in page.url  # the token does not stay in the address bar
    booked = models.Booking.objects.get()
    page.get_by_role("link", name="Choose another time").click()
    expect_heading(page, "Move your booking")
    this_month = page.locator("#picker-heading").inner_text()
    page.get_by_role("link", name=re.compile(r"^Next month, ")).click()  # htmx swaps the month in place
    expect(page.locator("#picker-heading")).not_to_have_text(this_month)
    later = page.locator("a.calendar__day--open").nth(1)  # a later day than the booking's
    day = later.get_attribute("aria-label").split(",")[0]
    later.click()  # htmx swaps the day's times
    expect(page.locator("#times-heading")).to_have_text(day)
    page.locator("a.slot").first.click()
    expect_heading(page, "Move your booking?")
    page.get_by_role("button", name="Move my booking").click()
    expect_heading(page, "Your booking")
    expect(page.get_by_text(re.compile(r"Your booking has moved to .+\."))).to_be_visible()
    moved = models.Booking.objects.get()
    assert moved.start > booked.start and moved.status == "CONFIRMED"
    assert customer_emails()[-1].subject == "Your booking has moved: Haircut & style"

    page.get_by_role("link", name="Cancel this booking").click()
    expect_heading(page, "Cancel this booking?")
    page.get_by_role("button", name="Yes, cancel my booking").click()
    expect(page.get_by_text(re.compile(r"Your booking of Haircut & style on .+ is canceled\."))).to_be_visible()
    assert models.Booking.objects.get().status == "CANCELED"
    assert customer_emails()[-1].subject == "Your booking is canceled: Haircut & style"
    assert console_errors == []
    page.goto(link)  # the link opens nothing any more (a 404, which the console reports)
    expect_heading(page, "We couldn't do that")


def customer_emails():
    return [m for m in mail.outbox if m.to == ["ada@example.com"]]
