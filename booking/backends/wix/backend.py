"""The bookings port on Wix (BOOKINGS_BACKEND=wix): catalog and availability reads here, writes in writes.py.

Catalog reads (services, form summaries, business info) are kept in Django's cache for WIX_CATALOG_CACHE_SECONDS
(default 60 s) and once per request; availability is always asked of Wix. Course availability follows Wix's
advice (§6.2): the course's sessions from event time slots, its places from the bookings that hold them.
"""

import hashlib
import json
from datetime import UTC, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from booking import availability
from booking import port as p
from booking.backends.request_cache import memo
from booking.dates import format_local_date, parse_time_zone
from booking.errors import InvalidArgument, NotFound

from . import shapes, shapes_slots
from .auth import Identity
from .client import WixClient, path_id
from .ecom import EcomMixin
from .writes import WritesMixin

SLOTS = "/_api/service-availability/v2"
OCCUPYING = ["CONFIRMED", "PENDING"]  # the statuses that hold a course place (§6.2)


def catalog_cached(key: str, compute):
    """Once per request, and across requests for WIX_CATALOG_CACHE_SECONDS."""

    def read():
        cache_key = "wix:" + hashlib.sha256(key.encode()).hexdigest()
        value = cache.get(cache_key)
        if value is None:
            value = compute()
            cache.set(cache_key, value, settings.WIX_CATALOG_CACHE_SECONDS)
        return value

    return memo(("wix", key), read)


class WixBackend(WritesMixin, EcomMixin, p.BookingsPort):
    def __init__(self, client: WixClient | None = None):
        self.client = client or WixClient.from_settings()

    # ---- catalog ------------------------------------------------------------------------------------------------

    def get_business_info(self) -> p.BusinessInfo:
        return catalog_cached("business", lambda: shapes.parse_business(
            self.client.get("/site-properties/v4/properties", identity=Identity.APP)))

    def _raw_services(self, filter: dict | None) -> list[dict]:  # noqa: A002
        query = {"filter": {**(filter or {}), "hidden": False}, "paging": {"limit": 100, "offset": 0}}
        body = {"query": query, "conditionalFields": ["STAFF_MEMBER_DETAILS"]}
        key = "services:" + json.dumps(query, sort_keys=True)
        return catalog_cached(key, lambda: self.client.read("/bookings/v2/services/query", body).get("services") or [])

    def query_services(self, *, filter: dict | None = None) -> list[p.Service]:  # noqa: A002
        services = [shapes.parse_service(s) for s in self._raw_services(filter)]
        # Sorted by category, keeping Wix's order inside one (a stable sort).
        return sorted(services, key=lambda s: (s.category.sort_order, s.category.name))

    def get_form_summary(self, form_id: str) -> p.FormSummary:
        path_id(form_id, "We could not find that booking form.", code="FORM_NOT_FOUND")
        return catalog_cached("form:" + form_id, lambda: shapes.parse_form_summary(
            self.client.get(f"/form-schema-service/v4/forms/{form_id}/summary")))

    def _service(self, service_id: str) -> tuple[p.Service, dict]:
        raw = self._raw_services({"id": service_id})
        if not raw:
            raise NotFound("We could not find that service.", code="SERVICE_NOT_FOUND")
        return shapes.parse_service(raw[0]), raw[0]

    # ---- appointments -------------------------------------------------------------------------------------------

    def list_availability_time_slots(self, *, service_id=None, from_local_date=None, to_local_date=None,
                                     time_zone=None, resource_ids=None, time_slots_per_day=None, cursor=None,
                                     limit=1000) -> p.ListTimeSlotsResponse:
        if cursor:
            body = {"cursorPaging": {"cursor": cursor, "limit": limit}}
        else:
            body = {"serviceId": service_id, "fromLocalDate": from_local_date, "toLocalDate": to_local_date,
                    "timeZone": time_zone or self.get_business_info().time_zone,
                    "includeResourceTypeIds": [p.STAFF_RESOURCE_TYPE_ID], "cursorPaging": {"limit": limit}}
            if resource_ids:
                body["resourceIds"] = list(resource_ids)
            if time_slots_per_day is not None:
                body["timeSlotsPerDay"] = time_slots_per_day
        return shapes_slots.parse_list(self.client.read(f"{SLOTS}/time-slots", body))

    def get_availability_time_slot(self, *, service_id, local_start_date, local_end_date, time_zone=None,
                                   resource_ids=None) -> p.TimeSlot:
        body = {"serviceId": service_id, "localStartDate": local_start_date, "localEndDate": local_end_date,
                "timeZone": time_zone or self.get_business_info().time_zone,
                "includeResourceTypeIds": [p.STAFF_RESOURCE_TYPE_ID]}
        if resource_ids:
            body["resourceTypes"] = [{"resourceTypeId": p.STAFF_RESOURCE_TYPE_ID, "resourceIds": list(resource_ids)}]
        return shapes_slots.parse_one(self.client.read(f"{SLOTS}/time-slots/get", body))

    # ---- classes and courses ------------------------------------------------------------------------------------

    def list_event_time_slots(self, *, service_ids=None, from_local_date=None, to_local_date=None, time_zone=None,
                              include_non_bookable=True, min_bookable_capacity=None, max_slots_per_day=None,
                              cursor=None, limit=50) -> p.ListTimeSlotsResponse:
        if cursor:
            body = {"cursorPaging": {"cursor": cursor, "limit": limit}}
        else:
            body = {"fromLocalDate": from_local_date, "toLocalDate": to_local_date,
                    "timeZone": time_zone or self.get_business_info().time_zone,
                    "includeNonBookable": include_non_bookable, "cursorPaging": {"limit": limit}}
            if service_ids:
                body["serviceIds"] = list(service_ids)
            if min_bookable_capacity is not None:
                body["minBookableCapacity"] = min_bookable_capacity
            if max_slots_per_day is not None:
                body["maxSlotsPerDay"] = max_slots_per_day
        return shapes_slots.parse_list(self.client.read(f"{SLOTS}/time-slots/event", body))

    def get_event_time_slot(self, *, event_id, time_zone=None) -> p.TimeSlot:
        path_id(event_id, "We could not find that class session.", code="SESSION_NOT_FOUND")
        params = {"timeZone": time_zone or self.get_business_info().time_zone}
        return shapes_slots.parse_one(self.client.get(f"{SLOTS}/time-slots/event/{event_id}", params=params))

    def get_course_availability(self, *, service_id, time_zone=None) -> p.CourseAvailability:
        service, raw = self._service(service_id)
        if service.type != "COURSE":
            raise InvalidArgument("Only courses are booked as a whole.")
        tz = parse_time_zone(time_zone or self.get_business_info().time_zone)
        schedule = raw.get("schedule") or {}
        first, last = shapes.instant(schedule.get("firstSessionStart")), shapes.instant(schedule.get("lastSessionEnd"))
        if first is None or last is None:
            raise NotFound("This course has no sessions yet.", code="SCHEDULE_NOT_FOUND")
        sessions = self._course_sessions(service_id, first, last, tz)
        booked = sum(b.total_participants for b in self._course_bookings(service.schedule_id))
        pol = service.booking_policy
        rules = availability.PolicyRules(
            online_booking_enabled=service.online_booking.enabled,
            limit_early_booking_enabled=pol.limit_early_booking_enabled,
            earliest_booking=timedelta(minutes=pol.earliest_booking_in_minutes),
            limit_late_booking_enabled=pol.limit_late_booking_enabled,
            latest_booking=timedelta(minutes=pol.latest_booking_in_minutes))
        now = timezone.now()
        violations = availability.course_violations(first, last, now, rules,
                                                    book_after_start=pol.book_after_start_enabled)
        remaining = max(service.default_capacity - booked, 0)
        return p.CourseAvailability(
            service_id=service.id, schedule_id=service.schedule_id, sessions=sessions,
            total_capacity=service.default_capacity, remaining_capacity=remaining,
            bookable=remaining >= 1 and not violations.any, booking_policy_violations=violations,
            started=first <= now, ended=last <= now, time_zone=tz.key)

    def _course_sessions(self, service_id, first, last, tz) -> tuple[p.TimeSlot, ...]:
        """Every session of the course, from event time slots over its whole schedule, page by page."""
        sessions: list[p.TimeSlot] = []
        page = self.list_event_time_slots(service_ids=[service_id], from_local_date=format_local_date(first, tz),
                                          to_local_date=format_local_date(last, tz), time_zone=tz.key, limit=1000)
        sessions.extend(page.time_slots)
        while page.next_cursor:
            page = self.list_event_time_slots(cursor=page.next_cursor, limit=1000)
            sessions.extend(page.time_slots)
        return tuple(sessions)

    def _course_bookings(self, schedule_id: str) -> list[p.Booking]:
        return self._query_extended({"bookedEntity.item.schedule.scheduleId": schedule_id,
                                     "status": {"$in": OCCUPYING}})

    # ---- packages -----------------------------------------------------------------------------------------------

    @staticmethod
    def _services_body(services: list[p.ServiceSelection]) -> list[dict]:
        return [{"serviceId": s.service_id, "resourceIds": list(s.resource_ids),
                 "includeResourceTypeIds": [p.STAFF_RESOURCE_TYPE_ID]} for s in services]

    def list_multi_service_availability_time_slots(self, *, services, from_local_date, to_local_date,
                                                   time_zone=None, time_slots_per_day=None):
        body = {"services": self._services_body(services), "fromLocalDate": from_local_date,
                "toLocalDate": to_local_date, "timeZone": time_zone or self.get_business_info().time_zone}
        if time_slots_per_day is not None:
            body["timeSlotsPerDay"] = time_slots_per_day
        return shapes_slots.parse_list(self.client.read(f"{SLOTS}/multi-service-time-slots", body))

    def get_multi_service_availability_time_slot(self, *, services, local_start_date, time_zone=None):
        body = {"services": self._services_body(services), "localStartDate": local_start_date,
                "timeZone": time_zone or self.get_business_info().time_zone}
        return shapes_slots.parse_one(self.client.read(f"{SLOTS}/multi-service-time-slots/get", body))

    # ---- reading bookings ---------------------------------------------------------------------------------------

    def _query_extended(self, filter: dict) -> list[p.Booking]:  # noqa: A002
        from .shapes_bookings import parse_booking

        bookings, cursor = [], None
        while True:
            paging = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            query = {"cursorPaging": paging} if cursor else {"filter": filter, "cursorPaging": paging}
            body = self.client.read("/_api/bookings-reader/v2/extended-bookings/query", {"query": query},
                                    identity=Identity.APP)
            bookings.extend(parse_booking(item["booking"]) for item in body.get("extendedBookings") or [])
            cursor = ((body.get("pagingMetadata") or {}).get("cursors") or {}).get("next")
            if not cursor:
                return bookings

    def query_extended_bookings(self, *, booking_ids: list[str]) -> list[p.Booking]:
        ids = [str(i) for i in booking_ids if i]
        if not ids:
            return []
        return self._query_extended({"id": {"$in": ids}})

    def query_extended_bookings_starting(self, *, statuses, start_from, start_to) -> list[p.Booking]:
        instants = {"$gte": start_from.astimezone(UTC).isoformat(), "$lt": start_to.astimezone(UTC).isoformat()}
        found = self._query_extended({"status": {"$in": [str(s) for s in statuses]}, "startDate": instants})
        return sorted(found, key=lambda b: (b.start_date, b.id))
