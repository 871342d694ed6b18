"""Time slots (Time Slots V2, wix-api.md §4) between Wix's JSON and the port's dataclasses.

A slot's dates are local wall-clock strings in the response's `timeZone`; the port's UTC `start_date`/`end_date`
are computed from them (the first of the two readings on the night clocks go back, as Wix gives no offset).
"""

from datetime import UTC, datetime

from booking import port as p
from booking.dates import parse_local_date, parse_time_zone

from .shapes import instant, parse_location, render_instant, render_slot_location


def _resources(groups) -> tuple[p.AvailableResources, ...]:
    return tuple(
        p.AvailableResources(
            resource_type_id=str(g.get("resourceTypeId", "")),
            resources=tuple(p.Resource(id=str(r.get("id", "")), name=r.get("name", ""))
                            for r in g.get("resources") or []),
            has_more_available_resources=bool(g.get("hasMoreAvailableResources")),
        )
        for g in groups or []
    )


def _render_resources(groups: tuple[p.AvailableResources, ...]) -> list[dict]:
    return [{"resourceTypeId": g.resource_type_id, "resources": [{"id": r.id, "name": r.name} for r in g.resources],
             "hasMoreAvailableResources": g.has_more_available_resources} for g in groups]


def _instant(local: str, tz) -> datetime:
    """A slot's local date and time as the port's UTC instant (the local engine's are UTC too)."""
    return parse_local_date(local, tz).astimezone(UTC)


def parse_time_slot(value: dict, time_zone: str) -> p.TimeSlot:
    tz = parse_time_zone(time_zone)
    violations = value.get("bookingPolicyViolations") or {}
    reasons = value.get("nonBookableReasons") or {}
    event = value.get("eventInfo")
    remaining = int(value.get("remainingCapacity", 0))
    return p.TimeSlot(
        service_id=str(value.get("serviceId") or ""),
        local_start_date=value["localStartDate"],
        local_end_date=value["localEndDate"],
        bookable=bool(value.get("bookable")),
        total_capacity=int(value.get("totalCapacity", 0)),
        remaining_capacity=remaining,
        bookable_capacity=int(value.get("bookableCapacity", remaining)),  # absent without a waitlist
        booking_policy_violations=p.BookingPolicyViolations(
            too_early_to_book=bool(violations.get("tooEarlyToBook")),
            earliest_booking_date=instant(violations.get("earliestBookingDate")),
            too_late_to_book=bool(violations.get("tooLateToBook")),
            book_online_disabled=bool(violations.get("bookOnlineDisabled")),
        ),
        location=parse_location(value.get("location")),
        available_resources=_resources(value.get("availableResources")),
        schedule_id=str(value.get("scheduleId") or ""),
        start_date=_instant(value["localStartDate"], tz),
        end_date=_instant(value["localEndDate"], tz),
        event_info=p.EventInfo(event_id=str(event.get("eventId", "")), event_title=event.get("eventTitle", ""))
        if isinstance(event, dict) else None,
        non_bookable_reasons=p.NonBookableReasons(
            no_remaining_capacity=bool(reasons.get("noRemainingCapacity")),
            violates_booking_policy=bool(reasons.get("violatesBookingPolicy")),
            reserved_for_waiting_list=bool(reasons.get("reservedForWaitingList")),
            event_cancelled=bool(reasons.get("eventCancelled")),
        ),
        nested_time_slots=tuple(
            p.NestedTimeSlot(
                service_id=str(n.get("serviceId", "")),
                local_start_date=n["localStartDate"],
                local_end_date=n["localEndDate"],
                available_resources=_resources(n.get("availableResources")),
                schedule_id=str(n.get("scheduleId") or ""),
                start_date=_instant(n["localStartDate"], tz),
                end_date=_instant(n["localEndDate"], tz),
            )
            for n in value.get("nestedTimeSlots") or []
        ),
    )


def render_time_slot(slot: p.TimeSlot) -> dict:
    v = slot.booking_policy_violations
    r = slot.non_bookable_reasons
    body = {
        "serviceId": slot.service_id,
        "localStartDate": slot.local_start_date,
        "localEndDate": slot.local_end_date,
        "bookable": slot.bookable,
        "location": render_slot_location(slot.location),
        "totalCapacity": slot.total_capacity,
        "remainingCapacity": slot.remaining_capacity,
        "bookableCapacity": slot.bookable_capacity,
        "bookingPolicyViolations": {"tooEarlyToBook": v.too_early_to_book, "tooLateToBook": v.too_late_to_book,
                                    "bookOnlineDisabled": v.book_online_disabled},
        "availableResources": _render_resources(slot.available_resources),
        "nestedTimeSlots": [
            {"serviceId": n.service_id, "localStartDate": n.local_start_date, "localEndDate": n.local_end_date,
             "availableResources": _render_resources(n.available_resources), "scheduleId": n.schedule_id}
            for n in slot.nested_time_slots
        ],
        "nonBookableReasons": {"noRemainingCapacity": r.no_remaining_capacity,
                               "violatesBookingPolicy": r.violates_booking_policy,
                               "reservedForWaitingList": r.reserved_for_waiting_list,
                               "eventCancelled": r.event_cancelled},
        "scheduleId": slot.schedule_id,
    }
    if v.earliest_booking_date is not None:
        body["bookingPolicyViolations"]["earliestBookingDate"] = render_instant(v.earliest_booking_date)
    if slot.event_info is not None:
        body["eventInfo"] = {"eventId": slot.event_info.event_id, "eventTitle": slot.event_info.event_title}
    return body


def parse_list(body: dict) -> p.ListTimeSlotsResponse:
    """A list answer: `cursorPagingMetadata` for appointment and multi-service slots, `pagingMetadata` for
    event slots (§4.4)."""
    time_zone = body.get("timeZone") or "UTC"
    paging = body.get("cursorPagingMetadata") or body.get("pagingMetadata") or {}
    cursors = paging.get("cursors") or {}
    return p.ListTimeSlotsResponse(
        time_slots=tuple(parse_time_slot(s, time_zone) for s in body.get("timeSlots") or []),
        time_zone=time_zone,
        next_cursor=cursors.get("next") or None,
    )


def render_list(response: p.ListTimeSlotsResponse, *, paging_key: str = "cursorPagingMetadata") -> dict:
    return {
        "timeSlots": [render_time_slot(s) for s in response.time_slots],
        "timeZone": response.time_zone,
        paging_key: {"cursors": {"next": response.next_cursor, "prev": None}, "hasNext": bool(response.next_cursor)},
    }


def parse_one(body: dict) -> p.TimeSlot:
    return parse_time_slot(body["timeSlot"], body.get("timeZone") or "UTC")


def render_one(slot: p.TimeSlot, time_zone: str) -> dict:
    return {"timeSlot": render_time_slot(slot), "timeZone": time_zone}
