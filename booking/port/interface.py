"""The operations of the bookings port, named after the Wix methods; every backend implements them."""

import abc
from datetime import datetime

from booking.errors import FailedPrecondition

from .bookings import (
    AllowedActions,
    AnonymousBooking,
    Booking,
    BulkCreateResult,
    CancelFlowControlSettings,
    ContactDetails,
    CreateBookingRequest,
    FlowControlSettings,
    MultiServiceBooking,
    RescheduleFlowControlSettings,
    RescheduleInfo,
    Slot,
)
from .catalog import (
    BusinessInfo,
    FormSummary,
    Service,
)
from .enums import (
    BookingStatus,
    Caller,
    PaymentStatus,
    SelectedPaymentOption,
)
from .slots import (
    CourseAvailability,
    ListTimeSlotsResponse,
    ServiceSelection,
    TimeSlot,
)


class BookingsPort(abc.ABC):
    """The operations the pages need; `booking.backends.get_backend()` returns the configured implementation."""

    @abc.abstractmethod
    def get_business_info(self) -> BusinessInfo:
        """The business's name, time zone, currency and contact details (Wix: site properties)."""

    @abc.abstractmethod
    def query_services(self, *, filter: dict | None = None) -> list[Service]:  # noqa: A002 (Wix's name)
        """Visible services, sorted by category then service. Filter keys: id, type, mainSlug.name."""

    @abc.abstractmethod
    def get_form_summary(self, form_id: str) -> FormSummary:
        """The fields of a booking form; raises NotFound."""

    @abc.abstractmethod
    def list_availability_time_slots(
        self,
        *,
        service_id: str | None = None,
        from_local_date: str | None = None,
        to_local_date: str | None = None,
        time_zone: str | None = None,
        resource_ids: list[str] | None = None,
        time_slots_per_day: int | None = None,
        cursor: str | None = None,
        limit: int = 1000,
    ) -> ListTimeSlotsResponse:
        """Appointment slots starting in [from, to) local time, each with its free staff (all of them, in the
        `availableResources` of the staff type). Slots with no free staff are left out; policy violations come
        back with bookable=False. At most `time_slots_per_day` a day (bookable first), `limit` a page; with
        `cursor` the other arguments come from the cursor. Raises InvalidArgument for malformed dates, zones,
        ranges over 62 days or cursors."""

    @abc.abstractmethod
    def get_availability_time_slot(
        self,
        *,
        service_id: str,
        local_start_date: str,
        local_end_date: str,
        time_zone: str | None = None,
        resource_ids: list[str] | None = None,
    ) -> TimeSlot:
        """One appointment slot with all its free staff, to re-validate before booking. The local dates may carry
        a UTC offset, which makes them unambiguous when clocks go back. Raises NotFound (SLOT_NOT_FOUND)."""

    @abc.abstractmethod
    def list_event_time_slots(
        self,
        *,
        service_ids: list[str] | None = None,
        from_local_date: str | None = None,
        to_local_date: str | None = None,
        time_zone: str | None = None,
        include_non_bookable: bool = True,
        min_bookable_capacity: int | None = None,
        max_slots_per_day: int | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> ListTimeSlotsResponse:
        """Class sessions starting in [from, to), sorted by start, each with its capacity, places left, policy
        violations and non-bookable reasons (cancelled sessions included, marked). With `cursor` the other
        arguments come from the cursor. Raises InvalidArgument for bad dates, zones, ranges or cursors."""

    @abc.abstractmethod
    def get_event_time_slot(self, *, event_id: str, time_zone: str | None = None) -> TimeSlot:
        """One class session, to re-validate before booking. Raises NotFound (SESSION_NOT_FOUND)."""

    @abc.abstractmethod
    def get_course_availability(self, *, service_id: str, time_zone: str | None = None) -> CourseAvailability:
        """A course's sessions and places left (Wix has no time slots for courses: §6.2)."""

    @abc.abstractmethod
    def list_multi_service_availability_time_slots(
        self,
        *,
        services: list[ServiceSelection],
        from_local_date: str,
        to_local_date: str,
        time_zone: str | None = None,
        time_slots_per_day: int | None = None,
    ) -> ListTimeSlotsResponse:
        """Times at which 2 to 8 appointment services can be had back to back at one place, each with its own
        free staff member; each time slot lists the services' parts in `nested_time_slots`."""

    @abc.abstractmethod
    def get_multi_service_availability_time_slot(
        self, *, services: list[ServiceSelection], local_start_date: str, time_zone: str | None = None
    ) -> TimeSlot:
        """One multi-service time slot starting then, with all free staff per part. Raises NotFound."""

    @abc.abstractmethod
    def create_booking(
        self,
        request: CreateBookingRequest,
        *,
        caller: Caller = Caller.CUSTOMER,
        flow_control_settings: FlowControlSettings | None = None,
        submission_key: str | None = None,
    ) -> Booking:
        """Create a booking in status CREATED. Checks the booking policy, the payment option, the form
        submission and (unless a staff caller skips it) availability now; with no resource given, a free staff
        member is assigned. A repeated `submission_key` returns the booking it made the first time."""

    def create_and_settle_booking(self, request: CreateBookingRequest, *, payment_status: PaymentStatus,
                                  submission_key: str | None = None) -> Booking:
        """Create Booking, then Confirm Or Decline Booking with `payment_status`: a customer's booking that is
        settled as it is made (free, or paid at the visit), returned CONFIRMED or PENDING, or DECLINED when the time
        was taken between the two calls. The two are Wix's calls, and this is what a backend with nothing better
        does; the local engine does both in one transaction, with one check of the time (a taken time raises
        SlotNotAvailable). A repeated `submission_key` returns the first submit's booking as it now is; one made to
        be paid online may come back still CREATED, for the caller to settle as it settles any booking."""
        booking = self.create_booking(request, submission_key=submission_key)
        if booking.status != BookingStatus.CREATED:
            return booking
        try:
            return self.confirm_or_decline_booking(booking.id, payment_status=payment_status)
        except FailedPrecondition as error:
            if error.code != "INVALID_BOOKING_STATUS":
                raise
            # A second submit of the same form settled it a moment earlier.
            found = self.query_extended_bookings(booking_ids=[booking.id])
            return found[0] if found else booking

    @abc.abstractmethod
    def create_multi_service_booking(
        self, requests: list[CreateBookingRequest], *, submission_key: str | None = None
    ) -> MultiServiceBooking:
        """2 to 8 appointment bookings, back to back at one place, created together (all or none), in CREATED."""

    @abc.abstractmethod
    def get_multi_service_booking(self, multi_service_booking_id: str) -> MultiServiceBooking:
        """The bookings of a multi-service booking, in sequence. Raises NotFound."""

    @abc.abstractmethod
    def bulk_create_booking(
        self,
        requests: list[CreateBookingRequest],
        *,
        caller: Caller = Caller.STAFF,
        flow_control_settings: FlowControlSettings | None = None,
    ) -> list[BulkCreateResult]:
        """Up to 8 bookings, each made or refused on its own: a time that is taken is skipped and reported, not a
        failure of the call. A malformed item (InvalidArgument) fails the whole call before anything is made."""

    @abc.abstractmethod
    def reschedule_booking(
        self,
        booking_id: str,
        *,
        slot: Slot,
        revision: int,
        total_participants: int | None = None,
        caller: Caller = Caller.CUSTOMER,
        flow_control_settings: RescheduleFlowControlSettings | None = None,
    ) -> Booking:
        """Move an appointment to another time (and staff member), or a class booking to another session of the
        same class (`slot.event_id`). Checks the reschedule policy and availability; a service that needs approval
        sends the booking back to PENDING unless staff skip business confirmation. Courses cannot be moved."""

    @abc.abstractmethod
    def update_number_of_participants(
        self, booking_id: str, *, revision: int, total_participants: int, caller: Caller = Caller.CUSTOMER
    ) -> Booking:
        """Change how many people a class or course booking is for; more people need places left."""

    @abc.abstractmethod
    def reschedule_multi_service_booking(
        self,
        multi_service_booking_id: str,
        *,
        reschedule_bookings_info: list[RescheduleInfo],
        caller: Caller = Caller.CUSTOMER,
        flow_control_settings: RescheduleFlowControlSettings | None = None,
    ) -> MultiServiceBooking:
        """Move bookings of a package together (all or none); the package must stay back to back at one place."""

    @abc.abstractmethod
    def add_bookings_to_multi_service_booking(
        self, multi_service_booking_id: str, *, bookings: list[tuple[str, int]], caller: Caller = Caller.STAFF
    ) -> MultiServiceBooking:
        """Add independent bookings, given as (id, revision), to a package: at most 8 in all, and the whole must
        still run back to back at one place."""

    @abc.abstractmethod
    def get_anonymous_action_token(self, booking_id: str) -> str:
        """A URL-safe token that lets whoever holds it read, cancel and reschedule this one booking (for the
        customer's emailed link). Only the business mints them. Raises NotFound."""

    @abc.abstractmethod
    def get_booking_anonymously(self, token: str) -> AnonymousBooking:
        """The booking a token is for, with what its holder may do now. Raises NotFound for an unknown token and
        for one whose booking is canceled, declined or over (so do the two below), with no word of which."""

    @abc.abstractmethod
    def cancel_booking_anonymously(self, token: str, *, revision: int) -> Booking:
        """Cancel as the customer holding the token: the cancellation policy applies, no staff flags."""

    @abc.abstractmethod
    def reschedule_booking_anonymously(self, token: str, *, slot: Slot, revision: int) -> Booking:
        """Reschedule as the customer holding the token: the reschedule policy and availability apply."""

    @abc.abstractmethod
    def confirm_or_decline_booking(self, booking_id: str, *, payment_status: PaymentStatus) -> Booking:
        """Wix's decision table (wix-api.md §5.4): CONFIRMED or PENDING when the slot is still free or the booking
        is paid (paid despite a conflict sets double_booked), DECLINED when it conflicts and is unpaid."""

    @abc.abstractmethod
    def confirm_booking(self, booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                        payment_status: PaymentStatus | None = None) -> Booking:
        """Staff confirm a CREATED, PENDING or WAITING_LIST booking; a conflict is flagged with double_booked."""

    @abc.abstractmethod
    def decline_booking(self, booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                        payment_status: PaymentStatus | None = None) -> Booking:
        """Staff decline a CREATED, PENDING or WAITING_LIST booking."""

    @abc.abstractmethod
    def mark_booking_as_pending(self, booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                                payment_status: PaymentStatus | None = None) -> Booking:
        """CREATED → PENDING for a service that needs approval; the booking then holds its time."""

    @abc.abstractmethod
    def cancel_booking(self, booking_id: str, *, revision: int, caller: Caller = Caller.CUSTOMER,
                       flow_control_settings: CancelFlowControlSettings | None = None) -> Booking:
        """Cancel an active booking. Customers are held to the cancellation policy; staff may ignore it.
        A stale `revision` raises RevisionMismatch."""

    # Checkout holds and payment updates are additions to Wix (docs/decisions.md): a Wix site's eCom cart holds
    # the time itself, so the wix backend's versions do nothing.

    @abc.abstractmethod
    def hold_booking(self, booking_id: str, *, expires_at: datetime) -> Booking:
        """Keep a CREATED booking's capacity until `expires_at` while the customer pays online. A running hold
        is kept as it is; a time taken meanwhile raises SlotNotAvailable."""

    @abc.abstractmethod
    def release_hold(self, booking_id: str) -> None:
        """End a booking's checkout hold now (no error if it has none)."""

    @abc.abstractmethod
    def release_lapsed_holds(self) -> int:
        """Tidy the holds whose time is up (they stopped counting when they lapsed); how many were cleared. The
        worker runs it every few minutes."""

    # The waitlist of full class sessions is an addition too: Wix's Waitlist APIs are not public (wix-api.md has
    # none), so only the local engine keeps one (`offers_waitlist`); the wix backend refuses each call with
    # FailedPrecondition WAITLIST_NOT_AVAILABLE, and its sessions never carry `event_info.waiting_list`.
    offers_waitlist: bool = False

    @abc.abstractmethod
    def join_waitlist(self, *, event_id: str, contact_details: ContactDetails) -> Booking:
        """Put a customer on a full class session's waitlist: a WAITING_LIST booking for one participant.
        FailedPrecondition when the session still has places (SESSION_HAS_PLACES), takes no waitlist, its waitlist
        is full (WAITLIST_FULL) or the email already waits for it (ALREADY_ON_WAITLIST); BookingPolicyViolation
        when the session can no longer be booked; NotFound for an unknown session."""

    @abc.abstractmethod
    def offer_waitlist_places(self, *, event_id: str | None = None) -> list[Booking]:
        """Offer the free places of a session (None: of every session with a waitlist) to the first customers
        waiting, in the order they joined, each held for the policy's reservation time and emailed; the bookings
        offered a place."""

    @abc.abstractmethod
    def accept_waitlist_offer(self, token: str, *, selected_payment_option: SelectedPaymentOption) -> Booking:
        """Take up the place offered to the booking of a customer's link: it becomes CREATED, keeping the offer's
        hold, to be settled as a new booking is. NotFound for a link that opens nothing; FailedPrecondition
        WAITLIST_OFFER_LAPSED when no offer runs."""

    @abc.abstractmethod
    def leave_waitlist(self, token: str) -> Booking:
        """The link's customer leaves the waitlist, declining the offer if one runs: the booking is CANCELED."""

    @abc.abstractmethod
    def expire_waitlist_offers(self) -> int:
        """End the offers whose time is up and the waitlists of sessions that started (DECLINED), and offer the
        places that frees to the next; how many entries ended. The worker runs it every minute."""

    @abc.abstractmethod
    def update_payment_status(self, booking_id: str, *, payment_status: PaymentStatus, caller: Caller = Caller.SYSTEM,
                              reason: str = "") -> Booking:
        """Record a payment status learnt after the fact: a refund went through, or a visit was paid in person."""

    @abc.abstractmethod
    def bulk_calculate_allowed_actions(self, *, booking_ids: list[str]) -> list[tuple[str, AllowedActions | None]]:
        """For each id, whether a customer may cancel or reschedule now (None for an unknown booking)."""

    @abc.abstractmethod
    def query_extended_bookings(self, *, booking_ids: list[str]) -> list[Booking]:
        """The bookings with these ids (Wix: Query Extended Bookings filtered on id); unknown ids are left out."""

    @abc.abstractmethod
    def query_extended_bookings_starting(self, *, statuses: list[BookingStatus], start_from: datetime,
                                         start_to: datetime) -> list[Booking]:
        """The bookings in one of `statuses` whose start is in [start_from, start_to), earliest first (Wix: Query
        Extended Bookings with the filter {"status": {"$in": statuses}, "startDate": {"$gte": .., "$lt": ..}}).
        The reminders and the pending notices scan the coming hours with it."""
