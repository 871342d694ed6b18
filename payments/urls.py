from django.urls import path

from . import views, webhooks

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("stripe/return/", views.stripe_return, name="stripe_return"),
    path("bookings/<uuid:booking_id>/", views.booking_payment, name="booking_payment"),
    path("bookings/<uuid:booking_id>/pay/", views.resume_payment, name="resume_payment"),
    path("bookings/<uuid:booking_id>/wix-return/", views.wix_return, name="wix_return"),
    path("bookings/<uuid:booking_id>/release/", views.release_booking_time, name="release_booking_time"),
]
