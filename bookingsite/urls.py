from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from booking.limits import admin_login

urlpatterns = [
    path("admin/login/", admin_login),  # the admin's own sign-in page, with its attempts limited
    path("admin/", admin.site.urls),
    path("", include("booking.urls")),
    path("payments/", include("payments.urls")),
]

# Development sandboxes, routed only when they are on (bookingsite/sandboxes/).
if settings.STRIPE_SANDBOX:
    urlpatterns.append(path("_sandbox/stripe/", include("bookingsite.sandboxes.stripe.urls")))
if settings.WIX_SANDBOX:  # development and tests only; settings refuse it with DEBUG off
    urlpatterns.append(path("_sandbox/wix/", include("bookingsite.sandboxes.wix.urls")))
