"""The embedded engine: the bookings port on the Django ORM and the pure availability core (booking/availability.py).

One module per use case, each importing what it uses from the others; `LocalEngine` only says which function
answers which operation of the port:

- catalog.py: the business, services, booking forms and the default policy (and the request cache over them)
- slots.py: appointment availability (free starts, time slots, date windows)
- classes.py: class sessions and courses, their places and the locks that take them
- create.py: Create Booking (placement, the checks before and under the locks, the insert)
- lifecycle.py: confirm, decline, pending, cancel, checkout holds, payment status, allowed actions
- changes.py: reschedule, number of participants, bulk create
- packages.py: multi-service packages, found, booked, moved and grown together
- anonymous.py: the customer's emailed link
- waitlist.py: the waitlists of full class sessions, their offers and their expiry
- helpers: sql.py (the slot page's SQL reads), convert.py (models to the port's dataclasses), locks.py

What occupies a staff member's time is stated once, in booking/occupancy.py. Reads cost a constant number of
queries whatever the date range or number of staff. Writes that consume capacity run in one transaction that
first locks the rows involved (staff in primary-key order, or the session or course); on SQLite the IMMEDIATE
transaction mode serialises writers instead.
"""

from booking.port import BookingsPort

from . import anonymous, catalog, changes, classes, create, lifecycle, packages, slots, waitlist


class LocalEngine(BookingsPort):
    # Plain functions with the port's signatures, so the methods are the functions themselves.
    get_business_info = staticmethod(catalog.get_business_info)
    query_services = staticmethod(catalog.query_services)
    get_form_summary = staticmethod(catalog.get_form_summary)

    list_availability_time_slots = staticmethod(slots.list_availability_time_slots)
    get_availability_time_slot = staticmethod(slots.get_availability_time_slot)

    list_event_time_slots = staticmethod(classes.list_event_time_slots)
    get_event_time_slot = staticmethod(classes.get_event_time_slot)
    get_course_availability = staticmethod(classes.get_course_availability)

    create_booking = staticmethod(create.create_booking)
    create_and_settle_booking = staticmethod(create.create_and_settle_booking)
    query_extended_bookings = staticmethod(lifecycle.query_extended_bookings)
    query_extended_bookings_starting = staticmethod(lifecycle.query_extended_bookings_starting)

    confirm_or_decline_booking = staticmethod(lifecycle.confirm_or_decline_booking)
    confirm_booking = staticmethod(lifecycle.confirm_booking)
    decline_booking = staticmethod(lifecycle.decline_booking)
    mark_booking_as_pending = staticmethod(lifecycle.mark_booking_as_pending)
    cancel_booking = staticmethod(lifecycle.cancel_booking)
    hold_booking = staticmethod(lifecycle.hold_booking)
    release_hold = staticmethod(lifecycle.release_hold)
    update_payment_status = staticmethod(lifecycle.update_payment_status)
    bulk_calculate_allowed_actions = staticmethod(lifecycle.bulk_calculate_allowed_actions)

    reschedule_booking = staticmethod(changes.reschedule_booking)
    update_number_of_participants = staticmethod(changes.update_number_of_participants)
    bulk_create_booking = staticmethod(changes.bulk_create_booking)

    list_multi_service_availability_time_slots = staticmethod(packages.list_multi_service_availability_time_slots)
    get_multi_service_availability_time_slot = staticmethod(packages.get_multi_service_availability_time_slot)
    create_multi_service_booking = staticmethod(packages.create_multi_service_booking)
    get_multi_service_booking = staticmethod(packages.get_multi_service_booking)
    reschedule_multi_service_booking = staticmethod(packages.reschedule_multi_service_booking)
    add_bookings_to_multi_service_booking = staticmethod(packages.add_bookings_to_multi_service_booking)

    get_anonymous_action_token = staticmethod(anonymous.get_anonymous_action_token)
    get_booking_anonymously = staticmethod(anonymous.get_booking_anonymously)
    cancel_booking_anonymously = staticmethod(anonymous.cancel_booking_anonymously)
    reschedule_booking_anonymously = staticmethod(anonymous.reschedule_booking_anonymously)
    release_lapsed_holds = staticmethod(lifecycle.release_lapsed_holds)

    offers_waitlist = True
    join_waitlist = staticmethod(waitlist.join_waitlist)
    offer_waitlist_places = staticmethod(waitlist.offer_waitlist_places)
    accept_waitlist_offer = staticmethod(waitlist.accept_waitlist_offer)
    leave_waitlist = staticmethod(waitlist.leave_waitlist)
    expire_waitlist_offers = staticmethod(waitlist.expire_waitlist_offers)
