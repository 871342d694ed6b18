from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.service_list, name="services"),
    path("services/<slug:slug>/", views.slot_picker, name="slots"),
    path("services/<slug:slug>/details/", views.booking_details, name="details"),
    path("services/<slug:slug>/review/", views.review, name="review"),
    path("services/<slug:slug>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("bookings/<uuid:booking_id>/", views.confirmation, name="confirmation"),
    # The link in the customer's email, and the pages it opens (booking/views/manage.py).
    path("manage/<str:token>/", views.manage_link, name="manage_link"),
    path("bookings/<uuid:booking_id>/manage/", views.manage, name="manage"),
    path("bookings/<uuid:booking_id>/cancel/", views.cancel, name="manage_cancel"),
    path("bookings/<uuid:booking_id>/reschedule/", views.reschedule, name="manage_reschedule"),
    # A waitlist entry's offer, opened with the same link (booking/views/waitlist.py).
    path("bookings/<uuid:booking_id>/waitlist/accept/", views.waitlist_accept, name="waitlist_accept"),
    path("bookings/<uuid:booking_id>/waitlist/leave/", views.waitlist_leave, name="waitlist_leave"),
    path("packages/", views.packages, name="packages"),
    path("packages/times/", views.package_times, name="package_times"),
    path("packages/details/", views.package_details, name="package_details"),
    path("packages/review/", views.package_review, name="package_review"),
    path("packages/<uuid:package_id>/", views.package_confirmation, name="package_confirmation"),
]
