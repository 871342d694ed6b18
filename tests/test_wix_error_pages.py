"""Every mapped Wix error reaches the customer as a clear page: the sandbox answers the customer's Create Booking
with each row of the error table (status and application code), and the review page answers with the same page
and status the views give that port error in local mode (booking/web.py error_page, or the service's times with
"just taken"), never a 500, and no booking is made."""

import pytest
from django.urls import reverse

from booking import errors, models
from booking.port import ServiceType
from booking.views.checkout import TAKEN
from booking.views.services import TEMPLATES
from booking.web import JUST_TAKEN
from bookingsite.sandboxes.wix import recorder
from tests.test_views import fill_details
from tests.test_wix_errors import ROWS
from tests.test_wix_views import studio  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]

WIX_SAYS = "Wix says no to this booking."


def expected_page(status: int, code: str, cls: type[errors.BookingsError], carried: str, page_status: int):
    """(HTTP status, text on the page, template) the views give this port error."""
    if cls is errors.Unavailable:
        return 503, errors.Unavailable.default_message, "booking/error.html"
    if carried in TAKEN:
        text = JUST_TAKEN if carried == "SLOT_NOT_AVAILABLE" else WIX_SAYS
        return 409, text, TEMPLATES[ServiceType.APPOINTMENT]  # the times again, with the reason
    return (409 if page_status == 428 else page_status), WIX_SAYS, "booking/error.html"


@pytest.mark.parametrize(("status", "code", "cls", "carried", "page_status"), ROWS,
                         ids=[f"{row[0]}-{row[1] or 'any'}" for row in ROWS])
def test_a_wix_error_on_booking_is_the_same_clear_page(client, studio, status, code, cls, carried,  # noqa: F811
                                                       page_status):
    assert fill_details(client, studio["massage"]).status_code == 302
    review = reverse("booking:review", args=["massage"])
    key = client.get(review).context["draft"].submission_key
    # Two of each: a 401 is answered with one token refresh and one retry, which must fail too.
    recorder.fail_next("/bookings/v2/bookings", status, status, code=code or "", message=WIX_SAYS)
    page = client.post(review, {"submission_key": key, "payment": "in_person"})
    want_status, text, template = expected_page(status, code, cls, carried, page_status)
    html = page.content.decode()
    assert page.status_code == want_status, html[:500]
    assert text.replace("'", "&#x27;") in html
    assert template in [t.name for t in page.templates]
    assert not models.Booking.objects.exists()
