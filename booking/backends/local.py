"""The embedded engine: the bookings port on the Django ORM and the pure availability core.

Reads cost a constant number of queries whatever the date range or number of staff. Writes that consume capacity
run in one transaction that first locks the staff rows involved (in primary-key order); on SQLite the IMMEDIATE
transaction mode serialises writers instead.
"""

import json
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from booking import availability, models
from booking.dates import format_local_date, parse_local_date, parse_time_zone
from booking.errors import (
    BookingPolicyViolation,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    SlotNotAvailable,
)
from booking.forms import BookingDetailsForm
from booking.ids import parse_int_id, parse_uuid
from booking.models.catalog import ServiceType
from booking.port import (
    STAFF_RESOURCE_TYPE_ID,
    AvailableResources,
    BookingsPort,
    BusinessInfo,
    Caller,
    ContactDetails,
    CreateBookingRequest,
    FlowControlSettings,
    ListTimeSlotsResponse,
    Resource,
    TimeSlot,
)
from booking.port import Booking as BookingData
from booking.port import FormSummary as FormSummaryData
from booking.states import record

from . import cursors, local_sql
from . import local_convert as convert
from .local_anonymous import AnonymousMixin
from .local_changes import ChangesMixin
from .local_events import MAX_PAGE, EventsMixin, parse_window
from .local_lifecycle import LifecycleMixin, actor_for
from .local_locks import lock_staff, parse_submission_key, places_message
from .local_packages import PackagesMixin, per_day
from .local_starting import bookings_starting
from .request_cache import memo, per_call, remember


class LocalEngine(EventsMixin, PackagesMixin, LifecycleMixin, ChangesMixin, AnonymousMixin, BookingsPort):
    # ---- catalog -------------------------------------------------------------------------------------------

    def get_business_info(self) -> BusinessInfo:
        business = self._business()
        if business is None:
            return BusinessInfo("Your business", "UTC", "USD", "", "", "")
        return convert.business(business)

    def _services(self):
        """Visible services with their category and policy (local_sql.attach_staff_and_locations adds the rest)."""
        return models.Service.objects.filter(hidden=False).select_related("category", "booking_policy")

    def query_services(self, *, filter=None):  # noqa: A002
        filter = filter or {}  # noqa: A001
        queryset = self._services()
        if "id" in filter:
            queryset = queryset.filter(pk=parse_int_id(filter["id"]))
        if "type" in filter:
            queryset = queryset.filter(type=filter["type"])
        if "mainSlug.name" in filter:
            queryset = queryset.filter(slug=filter["mainSlug.name"])
        services = list(queryset)
        local_sql.attach_staff_and_locations(services)
        if any(s.booking_policy is None for s in services):
            default_policy = self._default_policy()
            for s in services:
                s.booking_policy = s.booking_policy or default_policy
        for s in services:
            remember(("service", s.pk), s)
        currency = self.get_business_info().currency
        return [convert.service(s, currency) for s in services]

    def _business(self) -> models.Business | None:
        """The business row with the default booking policy read alongside it, as JSON: one query for both."""
        return memo(("business",), _BUSINESS_WITH_DEFAULT_POLICY.first)

    def _default_policy(self) -> models.BookingPolicy | None:
        business = self._business()
        if business is None:  # no business yet: nothing is booked either
            return models.BookingPolicy.objects.filter(is_default=True).first()
        if business.default_policy is None:
            return None
        return memo(("default_policy",), lambda: _policy_from_json(business.default_policy))

    def _service(self, service_id: str) -> models.Service:
        pk = parse_int_id(service_id)
        service = memo(("service", pk), lambda: self._one_service(pk))
        if service is None:
            raise NotFound("We could not find that service.", code="SERVICE_NOT_FOUND")
        if service.booking_policy is None:
            service.booking_policy = self._default_policy()
        return service

    def _one_service(self, pk: int) -> models.Service | None:
        # Not .first(): it would order by the model's ordering, which joins the category, to pick one row of one.
        service = next(iter(self._services().filter(pk=pk).order_by()), None)
        if service is not None:
            local_sql.attach_staff_and_locations([service])
        return service

    def get_form_summary(self, form_id: str) -> FormSummaryData:
        if form_id == convert.DEFAULT_FORM_ID:
            return convert.DEFAULT_FORM
        form = models.BookingForm.objects.filter(pk=parse_int_id(form_id)).prefetch_related("fields").first()
        if form is None:
            raise NotFound("We could not find that booking form.", code="FORM_NOT_FOUND")
        return convert.form_summary(form)

    # ---- availability --------------------------------------------------------------------------------------

    @per_call
    def list_availability_time_slots(
        self, *, service_id=None, from_local_date=None, to_local_date=None, time_zone=None, resource_ids=None,
        time_slots_per_day=None, cursor=None, limit=MAX_PAGE,
    ) -> ListTimeSlotsResponse:
        args = {"service_id": service_id, "from": from_local_date, "to": to_local_date, "tz": time_zone,
                "resource_ids": resource_ids, "per_day": time_slots_per_day, "limit": limit, "after": None}
        if cursor:
            args = cursors.read(cursor, kind="slots")
        if not isinstance(args["limit"], int) or not 1 <= args["limit"] <= MAX_PAGE:
            raise InvalidArgument(f"Ask for between 1 and {MAX_PAGE} time slots per page.")
        if args["per_day"] is not None and args["per_day"] < 1:
            raise InvalidArgument("Ask for at least one time slot per day.")
        service = self._appointment_service(args["service_id"])
        tz = parse_time_zone(args["tz"] or self.get_business_info().time_zone)
        window_start, window_end = parse_window(args["from"], args["to"], tz)
        free = self._free_starts(service, window_start, window_end, args["resource_ids"])
        make_slot = self._slot_maker(service, tz, timezone.now())
        slots = [make_slot(f) for f in free]
        if args["per_day"] is not None:
            slots = per_day(slots, args["per_day"])
        if args["after"]:
            after = datetime.fromisoformat(args["after"])
            slots = [s for s in slots if s.start_date > after]
        page, more = slots[: args["limit"]], len(slots) > args["limit"]
        next_cursor = cursors.write({**args, "after": page[-1].start_date.isoformat()}, kind="slots") if more else None
        return ListTimeSlotsResponse(time_slots=tuple(page), time_zone=tz.key, next_cursor=next_cursor)

    @per_call
    def get_availability_time_slot(
        self, *, service_id, local_start_date, local_end_date, time_zone=None, resource_ids=None
    ) -> TimeSlot:
        service = self._appointment_service(service_id)
        tz = parse_time_zone(time_zone or self.get_business_info().time_zone)
        start = parse_local_date(local_start_date, tz).astimezone(UTC)
        end = parse_local_date(local_end_date, tz).astimezone(UTC)
        if end - start != timedelta(minutes=service.duration_minutes):
            raise NotFound("This service has no time slot of that length.", code="SLOT_NOT_FOUND")
        free = self._free_starts(service, start, start + timedelta(seconds=1), resource_ids)
        if not free:
            raise NotFound("This time is no longer available.", code="SLOT_NOT_FOUND")
        return self._slot_maker(service, tz, timezone.now())(free[0])

    def _appointment_service(self, service_id: str) -> models.Service:
        service = self._service(service_id)
        if service.type != ServiceType.APPOINTMENT:
            raise InvalidArgument("Time slots are listed for appointment services only.")
        return service

    def _free_starts(self, service, window_start, window_end, resource_ids, *, exclude_bookings=None,
                     clean_only=False):
        """Free starts in the window with the staff free at each; two queries whatever the window.

        With `clean_only`, bookings already flagged as double-booked or forced do not count: they are the
        intruders, and must not turn the booking that holds the time into a conflict too."""
        calendars, rules = self._calendars(service, window_start, window_end, resource_ids,
                                           exclude_bookings=exclude_bookings, clean_only=clean_only)
        names = self._staff_names(service)
        staff_for = {}  # one tuple of Resources per set of free staff: a week repeats the same few sets
        free = []
        for start in availability.free_appointment_starts(calendars, rules, window_start, window_end):
            if start.staff_ids not in staff_for:
                staff_for[start.staff_ids] = tuple(Resource(id=pk, name=names[int(pk)]) for pk in start.staff_ids)
            free.append((start.start, staff_for[start.staff_ids]))
        return free

    def _staff_names(self, service) -> dict[int, str]:
        return {s.pk: s.name for s in service.active_staff}

    def _calendars(self, service, window_start, window_end, resource_ids, *, exclude_bookings=None,
                   clean_only=False):
        """The calendars of the service's staff (or of `resource_ids` among them) for starts in the window, and
        the service's appointment rules."""
        staff_ids = {s.pk for s in service.active_staff}
        if resource_ids is not None:
            wanted = {parse_int_id(r) for r in resource_ids}
            if not wanted <= staff_ids:
                raise InvalidArgument("That staff member does not offer this service.", code="INVALID_RESOURCE")
            staff_ids = wanted
        rules = convert.appointment_rules(service, parse_time_zone(self.get_business_info().time_zone))
        reach = rules.duration + rules.buffer
        hours = local_sql.weekly_hours(staff_ids)
        blocked = local_sql.blocked_time(staff_ids, window_start, window_end + reach, timezone.now(),
                                         exclude_bookings=exclude_bookings, clean_only=clean_only)
        return convert.staff_calendars(staff_ids, hours, blocked), rules

    def _slot_maker(self, service, tz, now):
        """A function from (start, free staff) to a TimeSlot; what all slots of the service share is worked out once."""
        duration = timedelta(minutes=service.duration_minutes)
        check_policy = availability.policy_check(now, convert.policy_rules(service))
        location = convert.first_location(service)
        service_id, schedule_id = str(service.pk), convert.schedule_id(service)
        # Formatting a local time is the costliest step of a slot, and a slot's end is usually a later slot's
        # start: each instant is formatted once.
        formatted = {}

        def make(free) -> TimeSlot:
            start, staff = free
            end = start + duration
            for instant in (start, end):
                if instant not in formatted:
                    formatted[instant] = format_local_date(instant, tz)
            violations = check_policy(start)
            return TimeSlot(
                service_id=service_id,
                local_start_date=formatted[start],
                local_end_date=formatted[end],
                bookable=not violations.any,
                total_capacity=1,
                remaining_capacity=1,
                bookable_capacity=1,
                booking_policy_violations=violations,
                location=location,
                available_resources=(AvailableResources(STAFF_RESOURCE_TYPE_ID, staff),),
                schedule_id=schedule_id,
                start_date=start,
                end_date=end,
            )

        return make

    # ---- bookings ------------------------------------------------------------------------------------------

    def create_booking(
        self,
        request: CreateBookingRequest,
        *,
        caller=Caller.CUSTOMER,
        flow_control_settings=None,
        submission_key=None,
    ) -> BookingData:
        flow = self._create_flow(caller, flow_control_settings)
        key = parse_submission_key(submission_key)
        return self._create(request, self._prepare(request, caller, flow), caller, flow, key=key)

    def _create_flow(self, caller, flow) -> FlowControlSettings:
        flow = flow or FlowControlSettings()
        if flow.any and caller is not Caller.STAFF:
            raise PermissionDenied("Only the business's staff may skip booking checks.")
        return flow

    def _prepare(self, request, caller, flow):
        """Everything Create Booking checks before it locks: (service, lock, place, checked request)."""
        service, lock, place = self._placement(request, caller, flow)
        return service, lock, place, self._check_request(service, request, flow)

    def _create(self, request, prepared, caller, flow, *, key=None) -> BookingData:
        """Take the locks, check the capacity under them and insert the booking."""
        service, lock, place, checked = prepared
        try:
            with transaction.atomic():
                lock()
                # Looked up under the lock, so a second submit waits for the first and then finds its booking.
                if key and (existing := models.Booking.objects.filter(submission_key=key).first()):
                    return convert.booking(existing)
                booking = self._insert(service, request, checked, flow, caller, key=key, **place())
        except IntegrityError:
            # A safety net: the lookup under the lock finds an earlier submit, but should two ever slip past it,
            # the unique key lets one through and the other gets that booking.
            existing = models.Booking.objects.filter(submission_key=key).first() if key else None
            if existing is None:
                raise
            return convert.booking(existing)
        return convert.booking(booking)

    def _check_request(self, service, request, flow) -> tuple[ContactDetails, dict]:
        """The checks that need no lock: participants, payment option and the form; (contact, submission)."""
        if request.participants_choices:
            raise InvalidArgument("This service has no options to choose participants by.",
                                  code="INVALID_SERVICE_CHOICES")
        self._check_participants(service, request.total_participants)
        self._check_payment_option(service, request.selected_payment_option, flow)
        return self._check_submission(service, request)

    def _insert(self, service, request, checked, flow, caller, *, key, **placed) -> models.Booking:
        contact, submission = checked
        booking = models.Booking.objects.create(
            service=service,
            time_zone=(request.slot or request.schedule).timezone,
            total_participants=request.total_participants,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=contact.phone,
            form_submission=submission,
            selected_payment_option=request.selected_payment_option,
            price=service.price if service.rate_type in ("FIXED", "VARIED") else None,
            currency=self.get_business_info().currency,
            skip_availability_validation=flow.skip_availability_validation,
            skip_business_confirmation=flow.skip_business_confirmation,
            submission_key=key,
            **placed,
        )
        record(booking, "created", actor=actor_for(caller))
        return booking

    def _placement(self, request, caller, flow):
        """(service, lock, place) for what the request books: `lock()` takes the locks its capacity needs and
        `place()`, run under them, checks the capacity and returns the booking's time, staff and place fields."""
        if (request.slot is None) == (request.schedule is None):
            raise InvalidArgument("Book either a time slot or a course schedule.", code="VALIDATION_FAILURE")
        if request.schedule is not None:
            return self._course_placement(request.schedule, request, caller, flow)
        if request.slot.event_id:
            return self._class_placement(request.slot, request, caller, flow)
        return self._appointment_placement(request.slot, caller, flow)

    def _appointment_placement(self, slot, caller, flow, *, off_grid=False, exclude_bookings=None):
        """`off_grid` lets the start fall between the service's slot starts, as a package's later parts do;
        `exclude_bookings` are bookings being moved, whose present times do not stand in their own way."""
        service = self._appointment_service(slot.service_id)
        start, end = slot.start_date.astimezone(UTC), slot.end_date.astimezone(UTC)
        if end - start != timedelta(minutes=service.duration_minutes):
            raise InvalidArgument("The time does not match the length of this service.", code="VALIDATION_FAILURE")
        if caller is Caller.CUSTOMER:
            self._check_policy(service, start)
        staff_ids = [s.pk for s in service.active_staff]
        if slot.resource is not None:
            if parse_int_id(slot.resource.id) not in staff_ids:
                raise InvalidArgument("That staff member does not offer this service.", code="INVALID_RESOURCE")
            staff_ids = [parse_int_id(slot.resource.id)]
        if flow.skip_availability_validation and slot.resource is None:
            raise FailedPrecondition(
                "Choose a staff member to book without checking availability.",
                code="CAN_NOT_SKIP_AVAILABILITY_VALIDATION_IF_RESOURCE_NOT_PROVIDED",
            )

        def place():
            if flow.skip_availability_validation:
                staff_id = staff_ids[0]
            elif off_grid:
                calendars, rules = self._calendars(service, start, start + timedelta(seconds=1),
                                                   [str(i) for i in staff_ids], exclude_bookings=exclude_bookings)
                free = availability.free_staff_at(calendars, rules, start)
                if not free:
                    raise SlotNotAvailable()
                staff_id = int(free[0])
            else:
                free = self._free_starts(service, start, start + timedelta(seconds=1), [str(i) for i in staff_ids],
                                         exclude_bookings=exclude_bookings)
                if not free:
                    raise SlotNotAvailable()
                staff_id = int(free[0][1][0].id)
            return {
                "start": start, "end": end, "staff_id": staff_id, "any_staff": slot.resource is None,
                "occupied_until": end + timedelta(minutes=service.time_between_sessions),
                "location": service.location_list[0] if service.location_list else None,
            }

        return service, lambda: lock_staff(staff_ids), place

    def _class_placement(self, slot, request, caller, flow):
        service = self._service(slot.service_id)
        if service.type != ServiceType.CLASS:
            raise InvalidArgument("Only class sessions are booked by event.", code="VALIDATION_FAILURE")
        locked = {}

        def lock():
            locked["session"] = session = self._lock_session(service, slot.event_id)
            if caller is Caller.CUSTOMER:
                self._check_policy(service, session.start)

        def place():
            session = locked["session"]
            if session.cancelled and not flow.skip_availability_validation:
                raise FailedPrecondition("This session has been cancelled.", code="SESSION_NOT_FOUND")
            left = self._session_places_left(session, timezone.now())
            if request.total_participants > left and not flow.skip_availability_validation:
                raise FailedPrecondition(places_message(left, "session"), code="SESSION_CAPACITY_EXCEEDED")
            return {"start": session.start, "end": session.end, "occupied_until": session.end,
                    "session": session, "location_id": session.location_id}

        return service, lock, place

    def _course_placement(self, schedule, request, caller, flow):
        service = self._service(schedule.service_id)
        if service.type != ServiceType.COURSE:
            raise InvalidArgument("Only courses are booked as a whole schedule.", code="VALIDATION_FAILURE")
        locked = {}

        def lock():
            locked["sessions"] = held = self._lock_course(service)
            if caller is Caller.CUSTOMER:
                self._check_course_policy(service, held)

        def place():
            held = locked["sessions"]
            left = service.default_capacity - self._course_participants(service, timezone.now())
            if request.total_participants > left and not flow.skip_availability_validation:
                raise FailedPrecondition(places_message(left, "course"), code="SCHEDULE_CAPACITY_EXCEEDED")
            return {"start": held[0].start, "end": held[-1].end, "occupied_until": held[-1].end,
                    "location_id": held[0].location_id}

        return service, lock, place

    def query_extended_bookings(self, *, booking_ids) -> list[BookingData]:
        ids = [key for key in map(parse_uuid, booking_ids) if key]
        queryset = models.Booking.objects.filter(public_id__in=ids).select_related(
            "service", "staff", "location", "session__staff"
        )
        return [convert.booking(b) for b in queryset]

    def query_extended_bookings_starting(self, *, statuses, start_from, start_to) -> list[BookingData]:
        return bookings_starting(statuses=statuses, start_from=start_from, start_to=start_to)

    # ---- checks --------------------------------------------------------------------------------------------

    def _check_participants(self, service, total):
        if total < 1:
            raise InvalidArgument("A booking is for at least one participant.")
        limit = service.booking_policy.max_participants_per_booking if service.booking_policy else 1
        if total > max(limit, 1):
            raise BookingPolicyViolation(f"At most {limit} participants can be booked at once.")

    def _check_payment_option(self, service, option, flow):
        allowed = convert.payment_options(service)
        if option not in allowed and not flow.skip_selected_payment_option_validation:
            raise InvalidArgument("This service cannot be paid that way.", code="INVALID_PAYMENT_OPTION")

    def _check_policy(self, service, start):
        violations = availability.policy_violations(start, timezone.now(), convert.policy_rules(service))
        if violations.book_online_disabled:
            raise BookingPolicyViolation("This service cannot be booked online.", data={"bookOnlineDisabled": True})
        if violations.too_late_to_book:
            raise BookingPolicyViolation("It is too late to book this time.", data={"tooLateToBook": True})
        if violations.too_early_to_book:
            raise BookingPolicyViolation(
                "It is too early to book this time.",
                data={"tooEarlyToBook": True, "earliestBookingDate": violations.earliest_booking_date.isoformat()},
            )

    def _check_course_policy(self, service, held_sessions):
        violations = self._course_violations(service, held_sessions, timezone.now())
        if violations.book_online_disabled:
            raise BookingPolicyViolation("This course cannot be booked online.", data={"bookOnlineDisabled": True})
        if violations.too_late_to_book:
            raise BookingPolicyViolation("This course has already started.", data={"tooLateToBook": True})
        if violations.too_early_to_book:
            raise BookingPolicyViolation("It is too early to book this course.", data={"tooEarlyToBook": True})

    def _check_submission(self, service, request) -> tuple[ContactDetails, dict]:
        summary = self.get_form_summary(convert.form_id(service))
        form = BookingDetailsForm(summary, data=request.form_submission)
        if not form.is_valid():
            violations = {field: " ".join(errors) for field, errors in form.errors.items()}
            raise InvalidArgument("Some answers in the booking form are missing or not valid.",
                                  code="VALIDATION_FAILURE", field_violations=violations)
        submission = form.submission()
        contact = ContactDetails(
            first_name=submission.get("first_name", request.contact_details.first_name),
            last_name=submission.get("last_name", request.contact_details.last_name),
            email=submission.get("email", request.contact_details.email),
            phone=submission.get("phone", request.contact_details.phone),
        )
        if not contact.first_name or not contact.email:
            raise InvalidArgument("A booking needs the customer's first name and email.", code="VALIDATION_FAILURE")
        return contact, submission


# The query behind `_business`, built once: resolving the JSON object of the policy's fields took longer than
# running the query. Never evaluated itself: `first()` orders and slices a copy.
_BUSINESS_WITH_DEFAULT_POLICY = models.Business.objects.annotate(default_policy=Subquery(
    models.BookingPolicy.objects.filter(is_default=True).order_by("pk").values(
        json=JSONObject(**{f.attname: f.attname for f in models.BookingPolicy._meta.concrete_fields}))[:1]
))


def _policy_from_json(data) -> models.BookingPolicy:
    """An unsaved BookingPolicy from the JSON the database built (SQLite gives booleans as 0 and 1)."""
    if isinstance(data, str):
        data = json.loads(data)
    fields = models.BookingPolicy._meta.concrete_fields
    return models.BookingPolicy(**{f.attname: f.to_python(data[f.attname]) for f in fields})
