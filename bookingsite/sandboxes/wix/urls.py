"""Mounted at /_sandbox/wix/ when WIX_SANDBOX is on (bookingsite/urls.py): the paths the wix backend calls."""

from django.urls import path

from . import api_ecom as e
from . import api_order_payments as op
from . import api_reads as r
from . import api_writes as w
from .gate import oauth_token

app_name = "wix_sandbox"

SLOTS = "_api/service-availability/v2/"
WRITER = "_api/bookings-service/v2/"

urlpatterns = [
    path("oauth2/token", oauth_token),
    path("site-properties/v4/properties", r.site_properties),
    path("bookings/v2/services/query", r.query_services),
    path("form-schema-service/v4/forms/<str:form_id>/summary", r.form_summary),
    path(SLOTS + "time-slots", r.list_time_slots),
    path(SLOTS + "time-slots/get", r.get_time_slot),
    path(SLOTS + "time-slots/event", r.list_event_time_slots),
    path(SLOTS + "time-slots/event/<str:event_id>", r.get_event_time_slot),
    path(SLOTS + "multi-service-time-slots", r.list_multi_service_time_slots),
    path(SLOTS + "multi-service-time-slots/get", r.get_multi_service_time_slot),
    path("bookings/v2/bookings", w.create_booking),
    path("bookings/v2/bulk/bookings/create", w.bulk_create),
    path("bookings/v2/bulk/bookings/calculate_allowed_actions", w.allowed_actions),
    path("bookings/v2/confirmation/<str:booking_id>:confirmOrDecline", w.confirm_or_decline),
    path(WRITER + "multi_service_bookings", w.create_multi_service_booking),
    path(WRITER + "multi_service_bookings/add_bookings_to_multi_service_booking",
         w.add_bookings_to_multi_service_booking),
    path(WRITER + "multi_service_bookings/<str:package_id>", w.get_multi_service_booking),
    path(WRITER + "multi_service_bookings/<str:package_id>/reschedule", w.reschedule_multi_service_booking),
    path(WRITER + "bookings/<str:booking_id>/confirm", w.confirm),
    path(WRITER + "bookings/<str:booking_id>/decline", w.decline),
    path(WRITER + "bookings/<str:booking_id>/mark_booking_as_pending", w.mark_pending),
    path(WRITER + "bookings/<str:booking_id>/cancel", w.cancel),
    path(WRITER + "bookings/<str:booking_id>/reschedule", w.reschedule),
    path(WRITER + "bookings/<str:booking_id>/update_number_of_participants", w.update_participants),
    path("v1/anonymous-bookings/<str:booking_id>/token", w.anonymous_token),
    path("v1/anonymous-bookings/<str:token>", w.anonymous_booking),
    path("v1/anonymous-bookings/<str:token>/cancel", w.anonymous_cancel),
    path("v1/anonymous-bookings/<str:token>/reschedule", w.anonymous_reschedule),
    path("_api/bookings-reader/v2/extended-bookings/query", w.query_extended_bookings),
    path("ecom/v1/checkouts", e.create_checkout),
    path("ecom/v1/checkouts/<str:checkout_id>/create-order", e.create_order),
    path("ecom/v1/orders/<str:order_id>", e.get_order),
    path("ecom/v1/payments/orders/<str:order_id>", op.list_transactions),
    path("ecom/v1/payments/orders/<str:order_id>/add-payment", op.add_payments),
    path("ecom/v1/order-billing/refund-payments", op.refund_payments),
    path("redirect-session/v1/redirect-session", e.create_redirect_session),
    path("checkout/<str:session_id>/", e.hosted_checkout, name="hosted_checkout"),
]
