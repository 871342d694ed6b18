"""Mounted at /_sandbox/stripe/ (bookingsite/urls.py) when STRIPE_SANDBOX is on. Every view answers 404 unless the
sandbox is on, should the app be installed with the setting off."""

from django.urls import path, re_path

from . import api, views

app_name = "stripe_sandbox"

urlpatterns = [
    path("v1/checkout/sessions", api.sessions, name="sessions"),
    path("v1/checkout/sessions/<str:session_id>", api.session_detail, name="session"),
    path("v1/checkout/sessions/<str:session_id>/expire", api.session_expire, name="session_expire"),
    path("v1/refunds", api.refunds, name="refunds"),
    path("v1/refunds/<str:refund_id>", api.refund_detail, name="refund"),
    re_path(r"^(?P<rest>v1/.*)$", api.unknown),
    path("checkout/<str:session_id>/", views.checkout, name="checkout"),
    path("checkout/<str:session_id>/action/", views.checkout_action, name="checkout_action"),
]
