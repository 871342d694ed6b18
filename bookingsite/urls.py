from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("booking.urls")),
    path("payments/", include("payments.urls")),
    path("_sandbox/stripe/", include("payments.sandbox.urls")),  # answers 404 unless the Stripe sandbox is on
]

if settings.WIX_SANDBOX:  # development and tests only; settings refuse it with DEBUG off
    urlpatterns.append(path("_sandbox/wix/", include("bookingsite.sandboxes.wix.urls")))
