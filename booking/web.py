"""What every customer page shares, whichever app serves it (booking's views, the payment pages): the error page,
leaving for another site, and the "just taken" wording.

It lives beside `booking.draft` (the customer's booking in the browser session, which the payment pages read too)
rather than in `booking.views`, so that payments can use it without importing booking's views, and rather than in
`bookingsite`, which is the project's composition root (settings, URLs) and imports both apps.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect

from booking.errors import BookingsError

JUST_TAKEN = "Sorry, this time was just taken. Please choose another time; your answers are kept."


def error_page(request: HttpRequest, error: BookingsError | str, status: int | None = None) -> HttpResponse:
    message = error if isinstance(error, str) else error.message
    status = status or (400 if isinstance(error, str) else error.http_status)
    # A 428 is Wix's word for "a business rule says no"; to a browser that is a conflict.
    return render(request, "booking/error.html", {"message": message}, status=409 if status == 428 else status)


def leave_for(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to another site: a plain redirect, or HX-Redirect when htmx made the request."""
    return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)
