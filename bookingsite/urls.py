from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("booking.urls")),
    path("payments/", include("payments.urls")),
]

# Development sandboxes, routed only when they are on (bookingsite/sandboxes/).
if settings.STRIPE_SANDBOX:
    urlpatterns.append(path("_sandbox/stripe/", include("bookingsite.sandboxes.stripe.urls")))
