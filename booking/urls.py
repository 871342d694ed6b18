from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.service_list, name="services"),
    path("services/<slug:slug>/", views.slot_picker, name="slots"),
    path("services/<slug:slug>/details/", views.booking_details, name="details"),
    path("services/<slug:slug>/review/", views.review, name="review"),
    path("bookings/<uuid:booking_id>/", views.confirmation, name="confirmation"),
    path("packages/", views.packages, name="packages"),
    path("packages/times/", views.package_times, name="package_times"),
    path("packages/details/", views.package_details, name="package_details"),
    path("packages/review/", views.package_review, name="package_review"),
    path("packages/<uuid:package_id>/", views.package_confirmation, name="package_confirmation"),
]
