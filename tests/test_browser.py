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

    page.locator("a.slot").first.click()
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


def test_the_week_changes_in_place_with_htmx(page: Page, demo, console_errors):
    page.goto(demo + "/services/haircut-and-style/")
    heading = page.locator("#picker-heading")
    first_week = heading.inner_text()
    page.get_by_role("link", name="Next week →").click()
    expect(heading).not_to_have_text(first_week)
    expect(page).to_have_url(re.compile(r"week=\d{4}-\d{2}-\d{2}"))
    page.get_by_label("Staff member").select_option(label="Luis Ortega")
    expect(page).to_have_url(re.compile(r"staff=\d+"))
    expect(page.locator("a.slot").first).to_be_visible()
    assert console_errors == []


def test_booking_works_with_javascript_off(browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo + "/services/haircut-and-style/")
    page.get_by_role("link", name="Next week →").click()
    expect(page).to_have_url(re.compile(r"week=\d{4}-\d{2}-\d{2}"))
    page.get_by_label("Staff member").select_option(label="Luis Ortega")
    page.get_by_role("button", name="Show times").click()
    expect(page).to_have_url(re.compile(r"staff=\d+"))
    book_haircut(page, demo)
    context.close()
    assert models.Booking.objects.filter(status="CONFIRMED").count() == 1


def test_a_keyboard_user_can_pick_a_time(page: Page, demo):
    page.goto(demo + "/services/haircut-and-style/")
    page.locator("a.slot").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")


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
