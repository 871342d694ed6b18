"""The sandbox's booking endpoints (Bookings Writer V2, anonymous actions, Bookings Reader V2), answered by the
local engine. Bookings come back in Wix's shape, with the externalUserId Wix would keep for them."""

from datetime import datetime

from django.http import JsonResponse

from booking import port as p
from booking.backends.wix.shapes import EXTENSION_NAMESPACE, revision
from booking.backends.wix.shapes_bookings import parse_create_request, parse_slot, render_booking
from booking.errors import InvalidArgument, NotFound

from .api_reads import engine, service_types
from .gate import Call, endpoint
from .models import BookingOrigin


def _render(booking: p.Booking) -> dict:
    origin = BookingOrigin.objects.filter(booking_id=booking.id).first()
    return render_booking(booking, course=service_types().get(booking.service_id) == "COURSE",
                          external_user_id=(origin.external_user_id or None) if origin else None)


def _answer(booking: p.Booking) -> JsonResponse:
    return JsonResponse({"booking": _render(booking)})


def _remember(booking: p.Booking, call: Call, external_user_id: str) -> None:
    BookingOrigin.objects.update_or_create(booking_id=booking.id, defaults={
        "external_user_id": external_user_id, "visitor_id": call.visitor_id})


def _slot(value) -> p.Slot:
    if not isinstance(value, dict):
        raise InvalidArgument("slot is required.", field_violations={"slot": "must be object"})
    if value.get("eventId") and not value.get("startDate"):
        return p.Slot(service_id=str(value.get("serviceId", "")), start_date=None, end_date=None, timezone="",
                      event_id=str(value["eventId"]))
    return parse_slot(value)


def _revision(body: dict) -> int:
    if body.get("revision") in (None, ""):
        raise InvalidArgument("revision is required.", field_violations={"revision": "must be set"})
    return revision(body["revision"])


# ---- creating ---------------------------------------------------------------------------------------------------


@endpoint("visitor")
def create_booking(call: Call):
    request, flow, external = parse_create_request(call.body)
    booking = engine().create_booking(request, caller=call.caller, flow_control_settings=flow if flow.any else None)
    _remember(booking, call, external)
    return _answer(booking)


@endpoint("visitor")
def bulk_create(call: Call):
    items = call.body.get("createBookingsInfo") or []
    parsed = [parse_create_request(item) for item in items]
    flows = [flow for _, flow, _ in parsed if flow.any]
    results = engine().bulk_create_booking([r for r, _, _ in parsed], caller=call.caller,
                                           flow_control_settings=flows[0] if flows else None)
    rendered = []
    for result in results:
        meta = {"originalIndex": result.original_index, "success": result.success}
        if result.success:
            _remember(result.booking, call, parsed[result.original_index][2])
            meta["id"] = result.booking.id
            rendered.append({"itemMetadata": meta, "item": _render(result.booking)})
        else:
            meta["error"] = {"code": result.error_code, "description": result.error_message, "data": {}}
            rendered.append({"itemMetadata": meta, "item": None})
    ok = sum(1 for r in results if r.success)
    return JsonResponse({"results": rendered, "bulkActionMetadata": {
        "totalSuccesses": ok, "totalFailures": len(results) - ok, "undetailedFailures": 0}})


def _package(package: p.MultiServiceBooking) -> JsonResponse:
    return JsonResponse({"multiServiceBooking": {
        "id": package.id, "multiServiceBookingType": package.multi_service_booking_type,
        "bookings": [{"bookingId": b.id, "booking": _render(b)} for b in package.bookings]}})


@endpoint("visitor")
def create_multi_service_booking(call: Call):
    requests, externals = [], []
    for booking in call.body.get("bookings") or []:
        extension = ((booking.get("extendedFields") or {}).get("namespaces") or {}).get(EXTENSION_NAMESPACE) or {}
        request, _, external = parse_create_request({"booking": booking,
                                                     "formSubmission": extension.get("formSubmission") or {}})
        requests.append(request)
        externals.append(external)
    package = engine().create_multi_service_booking(requests)
    for booking, external in zip(package.bookings, externals, strict=False):
        _remember(booking, call, external)
    return _package(package)


@endpoint("app", method="GET")
def get_multi_service_booking(call: Call, package_id: str):
    return _package(engine().get_multi_service_booking(package_id))


@endpoint("visitor")
def reschedule_multi_service_booking(call: Call, package_id: str):
    infos = [p.RescheduleInfo(booking_id=str(i["bookingId"]), slot=_slot(i.get("slot")), revision=_revision(i))
             for i in call.body.get("rescheduleBookingsInfo") or []]
    flags = call.body.get("flowControlSettings") or {}
    flow = p.RescheduleFlowControlSettings(
        ignore_reschedule_policy=bool(flags.get("ignoreReschedulePolicy")),
        skip_availability_validation=bool(flags.get("skipAvailabilityValidation")),
        skip_business_confirmation=bool(flags.get("skipBusinessConfirmation")))
    return _package(engine().reschedule_multi_service_booking(
        package_id, reschedule_bookings_info=infos, caller=call.caller,
        flow_control_settings=flow if flow.any else None))


@endpoint("visitor")
def add_bookings_to_multi_service_booking(call: Call):
    bookings = [(str(b["bookingId"]), _revision(b)) for b in call.body.get("bookings") or []]
    return _package(engine().add_bookings_to_multi_service_booking(
        str(call.body.get("multiServiceBookingId", "")), bookings=bookings, caller=call.caller))


# ---- changing one booking ---------------------------------------------------------------------------------------


@endpoint("app")
def confirm_or_decline(call: Call, booking_id: str):
    return _answer(engine().confirm_or_decline_booking(booking_id,
                                                       payment_status=call.body.get("paymentStatus") or "UNDEFINED"))


def _status(method):
    def view(call: Call, booking_id: str):
        return _answer(method(booking_id, revision=_revision(call.body), caller=call.caller,
                              payment_status=call.body.get("paymentStatus") or None))

    return view


confirm = endpoint("app")(_status(lambda *a, **k: engine().confirm_booking(*a, **k)))
decline = endpoint("app")(_status(lambda *a, **k: engine().decline_booking(*a, **k)))
mark_pending = endpoint("app")(_status(lambda *a, **k: engine().mark_booking_as_pending(*a, **k)))


@endpoint("visitor")
def cancel(call: Call, booking_id: str):
    flags = call.body.get("flowControlSettings") or {}
    flow = p.CancelFlowControlSettings(ignore_cancellation_policy=bool(flags.get("ignoreCancellationPolicy")),
                                       with_refund=bool(flags.get("withRefund")),
                                       waive_cancellation_fee=bool(flags.get("waiveCancellationFee")))
    return _answer(engine().cancel_booking(booking_id, revision=_revision(call.body), caller=call.caller,
                                           flow_control_settings=flow if flow.any else None))


@endpoint("visitor")
def reschedule(call: Call, booking_id: str):
    flags = call.body.get("flowControlSettings") or {}
    flow = p.RescheduleFlowControlSettings(
        ignore_reschedule_policy=bool(flags.get("ignoreReschedulePolicy")),
        skip_availability_validation=bool(flags.get("skipAvailabilityValidation")),
        skip_business_confirmation=bool(flags.get("skipBusinessConfirmation")))
    return _answer(engine().reschedule_booking(
        booking_id, slot=_slot(call.body.get("slot")), revision=_revision(call.body),
        total_participants=call.body.get("totalParticipants"), caller=call.caller,
        flow_control_settings=flow if flow.any else None))


@endpoint("visitor")
def update_participants(call: Call, booking_id: str):
    return _answer(engine().update_number_of_participants(
        booking_id, revision=_revision(call.body), total_participants=int(call.body["totalParticipants"]),
        caller=call.caller))


@endpoint("visitor")
def allowed_actions(call: Call):
    ids = [str(i) for i in call.body.get("bookingIds") or []]
    results = []
    for index, (booking_id, actions) in enumerate(engine().bulk_calculate_allowed_actions(booking_ids=ids)):
        meta = {"id": booking_id, "originalIndex": index, "success": actions is not None}
        if actions is None:
            meta["error"] = {"code": "BOOKING_NOT_FOUND", "description": "No such booking.", "data": {}}
        results.append({"itemMetadata": meta, "item": None if actions is None else {
            "cancel": actions.cancel, "reschedule": actions.reschedule}})
    return JsonResponse({"results": results, "bulkActionMetadata": {
        "totalSuccesses": sum(1 for r in results if r["item"]),
        "totalFailures": sum(1 for r in results if not r["item"]), "undetailedFailures": 0}})


# ---- anonymous actions ------------------------------------------------------------------------------------------


@endpoint("app", method="GET")
def anonymous_token(call: Call, booking_id: str):
    return JsonResponse({"token": engine().get_anonymous_action_token(booking_id)})


@endpoint("none", method="GET")
def anonymous_booking(call: Call, token: str):
    found = engine().get_booking_anonymously(token)
    actions = found.allowed_anonymous_actions
    return JsonResponse({"booking": _render(found.booking),
                         "allowedAnonymousActions": {"cancel": actions.cancel, "reschedule": actions.reschedule}})


@endpoint("none")
def anonymous_cancel(call: Call, token: str):
    return _answer(engine().cancel_booking_anonymously(token, revision=_revision(call.body)))


@endpoint("none")
def anonymous_reschedule(call: Call, token: str):
    return _answer(engine().reschedule_booking_anonymously(token, slot=_slot(call.body.get("slot")),
                                                           revision=_revision(call.body)))


# ---- Bookings Reader V2 -----------------------------------------------------------------------------------------


@endpoint("app")
def query_extended_bookings(call: Call):
    """The filters the wix backend sends: `id` ($in), `externalUserId`, a course's schedule with statuses, and
    statuses with a `startDate` range (the reminders' scan)."""
    query = call.body.get("query") or {}
    filter = query.get("filter") or {}  # noqa: A001
    if "id" in filter:
        wanted = filter["id"]
        ids = wanted.get("$in", []) if isinstance(wanted, dict) else [wanted]
    elif "externalUserId" in filter:
        ids = list(BookingOrigin.objects.filter(external_user_id=str(filter["externalUserId"]))
                   .values_list("booking_id", flat=True))
    elif "bookedEntity.item.schedule.scheduleId" in filter:
        ids = _course_booking_ids(str(filter["bookedEntity.item.schedule.scheduleId"]))
    elif isinstance(filter.get("startDate"), dict) and isinstance(filter.get("status"), dict):
        start, statuses = filter["startDate"], filter["status"].get("$in") or []
        try:
            start_from, start_to = (datetime.fromisoformat(start["$gte"]), datetime.fromisoformat(start["$lt"]))
        except (KeyError, TypeError, ValueError):
            raise InvalidArgument("startDate takes $gte and $lt as UTC instants.",
                                  field_violations={"query.filter.startDate": "not a range of instants"}) from None
        bookings = engine().query_extended_bookings_starting(statuses=statuses, start_from=start_from,
                                                             start_to=start_to)
        return _extended(bookings)
    else:
        raise InvalidArgument("The sandbox answers id, externalUserId and schedule filters.",
                              field_violations={"query.filter": "unsupported filter"})
    bookings = engine().query_extended_bookings(booking_ids=[str(i) for i in ids])
    statuses = (filter.get("status") or {}).get("$in") if isinstance(filter.get("status"), dict) else None
    if statuses:
        bookings = [b for b in bookings if b.status in statuses]
    return _extended(bookings)


def _extended(bookings) -> JsonResponse:
    return JsonResponse({"extendedBookings": [{"booking": _render(b)} for b in bookings],
                         "pagingMetadata": {"count": len(bookings), "cursors": {"next": None}, "hasNext": False}})


def _course_booking_ids(schedule_id: str) -> list[str]:
    """The port has no query by schedule, so the sandbox reads the ids from the engine's table (read only)."""
    from booking.models import Booking

    service_id = schedule_id.removeprefix("service-")
    if not service_id.isdigit():
        raise NotFound("No such schedule.", code="SCHEDULE_NOT_FOUND")
    return [str(i) for i in Booking.objects.filter(service_id=int(service_id)).values_list("public_id", flat=True)]
