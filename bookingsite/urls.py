from django.contrib import admin
from django.urls import include, path

from booking.limits import admin_login

urlpatterns = [
    path("admin/login/", admin_login),  # the admin's own sign-in page, with its attempts limited
    path("admin/", admin.site.urls),
    path("", include("booking.urls")),
    path("payments/", include("payments.urls")),
    path("_sandbox/stripe/", include("payments.sandbox.urls")),  # answers 404 unless the Stripe sandbox is on
]
