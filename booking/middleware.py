"""A bookings error no view caught becomes the same error page the views show (its 4xx, or 503 when the bookings
service is down), never a 500: with BOOKINGS_BACKEND=wix any page's call to Wix can fail."""

from booking.errors import BookingsError


class BookingsErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, BookingsError):
            return None
        from booking.web import error_page

        return error_page(request, exception)
