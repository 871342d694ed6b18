"""The port's writes on Wix (Bookings Writer V2 and the anonymous booking actions, wix-api.md §5).

Every write is sent once (client.write): a create that timed out may have been made, so a double submit is
caught by claiming the submission key in SubmissionClaim before Create Booking, which carries the key as
`externalUserId`; a second submit finds the first booking instead of creating another. After each successful
write the site's domain event is emitted with source "wix" (booking/events.py delivers only the configured
backend's events).

Where the port asks for what Wix does not have (docs/decisions.md): checkout holds hold nothing (Wix's
custom-checkout recipe creates the booking, takes payment, then calls Confirm Or Decline; `hold_booking` only
re-checks that the time is still free), and a payment status learnt later is not written to Wix, which has no
call for it on a booking (the site's payment records keep it).
"""

import logging
from urllib.parse import quote

from django.db import IntegrityError, transaction

from booking import port as p
from booking.dates import format_local_date, parse_time_zone
from booking.errors import BookingsError, FailedPrecondition, NotFound, SlotNotAvailable, Unavailable
from booking.events import emit_after_commit

from .auth import Identity
from .client import path_id
from .models import SubmissionClaim
from .shapes import EXTENSION_NAMESPACE
from .shapes_bookings import parse_booking, render_create_request, render_slot

logger = logging.getLogger("booking.wix")

WRITER = "/_api/bookings-service/v2"
ANONYMOUS = "/v1/anonymous-bookings"
STATUS_EVENTS = {"CONFIRMED": "confirmed", "DECLINED": "declined", "PENDING": "marked_as_pending"}


def _identity(caller: p.Caller) -> Identity:
    return Identity.VISITOR if caller is p.Caller.CUSTOMER else Identity.APP


INITIATED_BY = {p.Caller.CUSTOMER: "customer", p.Caller.STAFF: "staff", p.Caller.SYSTEM: "system"}


def _emit(event: str, booking: p.Booking, caller: p.Caller = p.Caller.CUSTOMER, *,
          with_refund: bool = False) -> p.Booking:
    emit_after_commit(event, booking.id, booking.revision, initiated_by=INITIATED_BY[caller], with_refund=with_refund,
                      source="wix")
    return booking


def _move_slot(slot: p.Slot) -> dict:
    """A reschedule's slot: a class moves by session id only (§5.8)."""
    if slot.event_id:
        return {"serviceId": slot.service_id, "eventId": slot.event_id}
    return render_slot(slot)


class WritesMixin:
    client = None  # set by WixBackend

    # ---- creating -----------------------------------------------------------------------------------------------

    def create_booking(self, request, *, caller=p.Caller.CUSTOMER, flow_control_settings=None, submission_key=None):
        if submission_key is not None:
            earlier = self._claim(str(submission_key))
            if earlier is not None:
                return earlier
        body = render_create_request(request, external_user_id=str(submission_key) if submission_key else None,
                                     flow_control_settings=flow_control_settings)
        try:
            answer = self.client.write("/bookings/v2/bookings", body, identity=_identity(caller))
        except Unavailable:
            raise  # the outcome is unknown: the claim stays, and a second submit looks the booking up
        except BookingsError:
            if submission_key is not None:
                SubmissionClaim.objects.filter(key=str(submission_key), booking_id="").delete()
            raise
        booking = parse_booking(answer["booking"])
        if submission_key is not None:
            SubmissionClaim.objects.filter(key=str(submission_key)).update(booking_id=booking.id)
        return _emit("created", booking, caller)

    def _claim(self, key: str) -> p.Booking | None:
        """None once this call owns the key; else the booking the first submit made."""
        try:
            with transaction.atomic():
                SubmissionClaim.objects.create(key=key)
            return None
        except IntegrityError:
            pass
        claim = SubmissionClaim.objects.filter(key=key).first()
        booking_id = claim.booking_id if claim else ""
        if booking_id:
            found = self.query_extended_bookings(booking_ids=[booking_id])
        else:
            found = self._query_extended({"externalUserId": key})
        if found:
            if claim and not booking_id:
                SubmissionClaim.objects.filter(pk=claim.pk).update(booking_id=found[0].id)
            return found[0]
        raise FailedPrecondition("This booking is being made already; reload the page in a moment.",
                                 code="SUBMISSION_IN_PROGRESS")

    def bulk_create_booking(self, requests, *, caller=p.Caller.STAFF, flow_control_settings=None):
        items = [render_create_request(r, flow_control_settings=flow_control_settings) for r in requests]
        answer = self.client.write("/bookings/v2/bulk/bookings/create",
                                   {"createBookingsInfo": items, "returnFullEntity": True}, identity=_identity(caller))
        results = []
        for index, result in enumerate(answer.get("results") or []):
            meta = result.get("itemMetadata") or {}
            original = int(meta.get("originalIndex", index))
            if meta.get("success") and result.get("item"):
                booking = _emit("created", parse_booking(result["item"]), caller)
                results.append(p.BulkCreateResult(original, booking=booking))
            else:
                error = meta.get("error") or {}
                results.append(p.BulkCreateResult(original, error_code=error.get("code", ""),
                                                  error_message=error.get("description", "")))
        return sorted(results, key=lambda r: r.original_index)

    # ---- packages -----------------------------------------------------------------------------------------------

    def create_multi_service_booking(self, requests, *, submission_key=None):
        if submission_key is not None:
            try:
                with transaction.atomic():
                    SubmissionClaim.objects.create(key=str(submission_key))
            except IntegrityError:
                claim = SubmissionClaim.objects.get(key=str(submission_key))
                if claim.booking_id:
                    return self.get_multi_service_booking(claim.booking_id)
                raise FailedPrecondition("This booking is being made already; reload the page in a moment.",
                                         code="SUBMISSION_IN_PROGRESS") from None
        bookings = []
        for request in requests:
            rendered = render_create_request(request, external_user_id=str(submission_key) if submission_key else None)
            booking = rendered["booking"]
            # Multi-service bookings take Booking objects only; the form answers ride in our namespace.
            booking["extendedFields"] = {"namespaces": {EXTENSION_NAMESPACE: {
                "formSubmission": rendered["formSubmission"]}}}
            bookings.append(booking)
        body = {"bookings": bookings, "multiServiceBookingType": "SEQUENTIAL_BOOKINGS", "returnFullEntity": True}
        try:
            answer = self.client.write(f"{WRITER}/multi_service_bookings", body)
        except Unavailable:
            raise
        except BookingsError:
            if submission_key is not None:
                SubmissionClaim.objects.filter(key=str(submission_key), booking_id="").delete()
            raise
        package = self._package(answer)
        if submission_key is not None:
            SubmissionClaim.objects.filter(key=str(submission_key)).update(booking_id=package.id)
        for booking in package.bookings:
            _emit("created", booking)
        return package

    @staticmethod
    def _package(answer: dict) -> p.MultiServiceBooking:
        msb = answer.get("multiServiceBooking") or {}
        return p.MultiServiceBooking(
            id=str(msb.get("id", "")),
            bookings=tuple(parse_booking(item["booking"]) for item in msb.get("bookings") or []),
            multi_service_booking_type=msb.get("multiServiceBookingType") or "SEQUENTIAL_BOOKINGS",
        )

    def get_multi_service_booking(self, multi_service_booking_id):
        path_id(multi_service_booking_id, "We could not find that booking.")
        return self._package(self.client.get(f"{WRITER}/multi_service_bookings/{multi_service_booking_id}",
                                              identity=Identity.APP))

    def reschedule_multi_service_booking(self, multi_service_booking_id, *, reschedule_bookings_info,
                                         caller=p.Caller.CUSTOMER, flow_control_settings=None):
        body = {"rescheduleBookingsInfo": [{"bookingId": i.booking_id, "slot": _move_slot(i.slot),
                                            "revision": str(i.revision)} for i in reschedule_bookings_info],
                "returnFullEntity": True}
        if flow_control_settings is not None and flow_control_settings.any:
            body["flowControlSettings"] = _reschedule_flags(flow_control_settings)
        package = self._package(self.client.write(
            f"{WRITER}/multi_service_bookings/{multi_service_booking_id}/reschedule", body,
            identity=_identity(caller)))
        moved = {i.booking_id for i in reschedule_bookings_info}
        for booking in package.bookings:
            if booking.id in moved:
                _emit("rescheduled", booking, caller)
        return package

    def add_bookings_to_multi_service_booking(self, multi_service_booking_id, *, bookings, caller=p.Caller.STAFF):
        body = {"multiServiceBookingId": multi_service_booking_id, "returnFullEntity": True,
                "bookings": [{"bookingId": booking_id, "revision": str(revision)} for booking_id, revision in bookings]}
        return self._package(self.client.write(f"{WRITER}/multi_service_bookings/add_bookings_to_multi_service_booking",
                                               body, identity=_identity(caller)))

    # ---- changing one booking -----------------------------------------------------------------------------------

    def _booking_call(self, booking_id: str, action: str, body: dict, *, caller: p.Caller) -> p.Booking:
        path_id(booking_id, "We could not find that booking.")
        answer = self.client.write(f"{WRITER}/bookings/{booking_id}/{action}", {"bookingId": booking_id, **body},
                                   identity=_identity(caller))
        return parse_booking(answer["booking"])

    def reschedule_booking(self, booking_id, *, slot, revision, total_participants=None, caller=p.Caller.CUSTOMER,
                           flow_control_settings=None):
        body = {"slot": _move_slot(slot), "revision": str(revision)}
        if total_participants is not None:
            body["totalParticipants"] = total_participants
        if flow_control_settings is not None and flow_control_settings.any:
            body["flowControlSettings"] = _reschedule_flags(flow_control_settings)
        return _emit("rescheduled", self._booking_call(booking_id, "reschedule", body, caller=caller), caller)

    def update_number_of_participants(self, booking_id, *, revision, total_participants, caller=p.Caller.CUSTOMER):
        body = {"revision": str(revision), "totalParticipants": total_participants}
        return _emit("number_of_participants_updated",
                     self._booking_call(booking_id, "update_number_of_participants", body, caller=caller), caller)

    def _status_call(self, booking_id, action, event, *, revision, caller, payment_status):
        body = {"revision": str(revision)}
        if payment_status:
            body["paymentStatus"] = payment_status
        return _emit(event, self._booking_call(booking_id, action, body, caller=caller), caller)

    def confirm_booking(self, booking_id, *, revision, caller=p.Caller.STAFF, payment_status=None):
        return self._status_call(booking_id, "confirm", "confirmed", revision=revision, caller=caller,
                                 payment_status=payment_status)

    def decline_booking(self, booking_id, *, revision, caller=p.Caller.STAFF, payment_status=None):
        return self._status_call(booking_id, "decline", "declined", revision=revision, caller=caller,
                                 payment_status=payment_status)

    def mark_booking_as_pending(self, booking_id, *, revision, caller=p.Caller.STAFF, payment_status=None):
        return self._status_call(booking_id, "mark_booking_as_pending", "marked_as_pending", revision=revision,
                                 caller=caller, payment_status=payment_status)

    def cancel_booking(self, booking_id, *, revision, caller=p.Caller.CUSTOMER, flow_control_settings=None):
        body = {"revision": str(revision)}
        if flow_control_settings is not None and flow_control_settings.any:
            body["flowControlSettings"] = {"ignoreCancellationPolicy": flow_control_settings.ignore_cancellation_policy,
                                           "withRefund": flow_control_settings.with_refund,
                                           "waiveCancellationFee": flow_control_settings.waive_cancellation_fee}
        with_refund = flow_control_settings is not None and flow_control_settings.with_refund
        return _emit("canceled", self._booking_call(booking_id, "cancel", body, caller=caller), caller,
                     with_refund=with_refund)

    def confirm_or_decline_booking(self, booking_id, *, payment_status):
        path_id(booking_id, "We could not find that booking.")
        answer = self.client.write(f"/bookings/v2/confirmation/{booking_id}:confirmOrDecline",
                                   {"paymentStatus": payment_status}, identity=Identity.APP)
        booking = parse_booking(answer["booking"])
        event = STATUS_EVENTS.get(booking.status)
        return _emit(event, booking, p.Caller.SYSTEM) if event else booking

    def bulk_calculate_allowed_actions(self, *, booking_ids):
        ids = [str(i) for i in booking_ids]
        if not ids:
            return []
        answer = self.client.read("/bookings/v2/bulk/bookings/calculate_allowed_actions", {"bookingIds": ids})
        found = {}
        for result in answer.get("results") or []:
            meta, item = result.get("itemMetadata") or {}, result.get("item")
            if meta.get("success", True) and isinstance(item, dict):
                found[str(meta.get("id", ""))] = p.AllowedActions(cancel=bool(item.get("cancel")),
                                                                   reschedule=bool(item.get("reschedule")))
        return [(i, found.get(i)) for i in ids]

    # ---- anonymous actions (the emailed link) -------------------------------------------------------------------

    def get_anonymous_action_token(self, booking_id):
        path_id(booking_id, "We could not find that booking.")
        answer = self.client.get(f"{ANONYMOUS}/{booking_id}/token", identity=Identity.APP)
        return str(answer["token"])

    def _anonymous(self, method: str, token: str, action: str = "", body: dict | None = None) -> dict:
        path = f"{ANONYMOUS}/{quote(str(token), safe='')}" + (f"/{action}" if action else "")
        log_path = f"{ANONYMOUS}/<token>" + (f"/{action}" if action else "")
        try:
            return self.client.call(method, path, json=body, identity=Identity.NONE, idempotent=method == "GET",
                                    log_path=log_path)
        except BookingsError as error:
            if error.http_status == 401:  # an unknown or expired token, as the port has it
                raise NotFound("This link is no longer valid.", code="INVALID_TOKEN") from None
            raise

    def get_booking_anonymously(self, token):
        answer = self._anonymous("GET", token)
        actions = answer.get("allowedAnonymousActions") or {}
        return p.AnonymousBooking(booking=parse_booking(answer["booking"]),
                                  allowed_anonymous_actions=p.AllowedActions(cancel=bool(actions.get("cancel")),
                                                                             reschedule=bool(actions.get("reschedule"))))

    def cancel_booking_anonymously(self, token, *, revision):
        answer = self._anonymous("POST", token, "cancel", {"revision": str(revision)})
        return _emit("canceled", parse_booking(answer["booking"]))

    def reschedule_booking_anonymously(self, token, *, slot, revision):
        answer = self._anonymous("POST", token, "reschedule", {"slot": _move_slot(slot), "revision": str(revision)})
        return _emit("rescheduled", parse_booking(answer["booking"]))

    # ---- what Wix does not have ---------------------------------------------------------------------------------

    def hold_booking(self, booking_id, *, expires_at):
        """Nothing is held at Wix; the time is checked to be still free, as the port promises."""
        found = self.query_extended_bookings(booking_ids=[booking_id])
        if not found:
            raise NotFound("We could not find that booking.")
        booking = found[0]
        if booking.status != "CREATED":
            return booking
        service, _ = self._service(booking.service_id)
        try:
            if service.type == "COURSE":
                free = self.get_course_availability(service_id=service.id).remaining_capacity
                enough = free >= booking.total_participants
            elif booking.slot.event_id:
                enough = self.get_event_time_slot(event_id=booking.slot.event_id).remaining_capacity \
                    >= booking.total_participants
            else:
                tz = booking.slot.timezone
                zone = parse_time_zone(tz)
                slot = self.get_availability_time_slot(
                    service_id=booking.service_id, local_start_date=format_local_date(booking.slot.start_date, zone),
                    local_end_date=format_local_date(booking.slot.end_date, zone), time_zone=tz,
                    resource_ids=[booking.slot.resource.id] if booking.slot.resource else None)
                enough = bool(slot.staff)
        except NotFound:
            enough = False
        if not enough:
            raise SlotNotAvailable()
        return booking

    def release_hold(self, booking_id):
        return None

    def release_lapsed_holds(self):
        return 0  # nothing is held at Wix

    # Wix's Waitlist APIs are not public (docs/decisions.md, "Waitlist for classes"): no waitlist on a Wix site.
    NO_WAITLIST = "Waitlists are not available on this site."

    def join_waitlist(self, *, event_id, contact_details):
        raise FailedPrecondition(self.NO_WAITLIST, code="WAITLIST_NOT_AVAILABLE")

    def offer_waitlist_places(self, *, event_id=None):
        raise FailedPrecondition(self.NO_WAITLIST, code="WAITLIST_NOT_AVAILABLE")

    def accept_waitlist_offer(self, token, *, selected_payment_option):
        raise FailedPrecondition(self.NO_WAITLIST, code="WAITLIST_NOT_AVAILABLE")

    def leave_waitlist(self, token):
        raise FailedPrecondition(self.NO_WAITLIST, code="WAITLIST_NOT_AVAILABLE")

    def expire_waitlist_offers(self):
        return 0

    def update_payment_status(self, booking_id, *, payment_status, caller=p.Caller.SYSTEM, reason=""):
        found = self.query_extended_bookings(booking_ids=[booking_id])
        if not found:
            raise NotFound("We could not find that booking.")
        logger.info("Payment status %s of Wix booking %s kept by the site only (%s)", payment_status, booking_id,
                    reason)
        return found[0]


def _reschedule_flags(settings: p.RescheduleFlowControlSettings) -> dict:
    return {"ignoreReschedulePolicy": settings.ignore_reschedule_policy,
            "skipAvailabilityValidation": settings.skip_availability_validation,
            "skipBusinessConfirmation": settings.skip_business_confirmation}
