"""The sandbox's read endpoints: site properties, services, forms and time slots, answered by the local engine."""

from functools import cache

from django.http import JsonResponse

from booking import port as p
from booking.backends.local import LocalEngine
from booking.backends.request_cache import memo
from booking.backends.wix import shapes, shapes_slots
from booking.dates import format_local_date, parse_time_zone
from booking.errors import InvalidArgument

from .gate import Call, endpoint


@cache
def engine() -> LocalEngine:
    return LocalEngine()


def service_types() -> dict[str, str]:
    return memo(("wix_sandbox", "types"), lambda: {s.id: s.type for s in engine().query_services()})


@endpoint("app", method="GET")
def site_properties(call: Call):
    return JsonResponse(shapes.render_business(engine().get_business_info()))


@endpoint("visitor")
def query_services(call: Call):
    query = call.body.get("query") or {}
    wanted = {k: v for k, v in (query.get("filter") or {}).items() if k in ("id", "type", "mainSlug.name")}
    services = []
    for service in engine().query_services(filter=wanted):
        rendered = shapes.render_service(service)
        if service.type == "COURSE":
            # Wix's schedule carries the course's first and last session (§2.2).
            course = engine().get_course_availability(service_id=service.id)
            held = [s for s in course.sessions if not s.non_bookable_reasons.event_cancelled] or course.sessions
            if held:
                rendered["schedule"]["firstSessionStart"] = shapes.render_instant(held[0].start_date)
                rendered["schedule"]["lastSessionEnd"] = shapes.render_instant(held[-1].end_date)
        services.append(rendered)
    return JsonResponse({"services": services,
                         "pagingMetadata": {"count": len(services), "offset": 0, "total": len(services)}})


@endpoint("visitor", method="GET")
def form_summary(call: Call, form_id: str):
    return JsonResponse(shapes.render_form_summary(engine().get_form_summary(form_id)))


def _paging(body: dict) -> tuple[str | None, int | None]:
    paging = body.get("cursorPaging") or {}
    return paging.get("cursor") or None, paging.get("limit")


@endpoint("visitor")
def list_time_slots(call: Call):
    body = call.body
    cursor, limit = _paging(body)
    resource_ids = list(body.get("resourceIds") or [])
    for group in body.get("resourceTypes") or []:
        resource_ids.extend(group.get("resourceIds") or [])
    response = engine().list_availability_time_slots(
        service_id=body.get("serviceId"), from_local_date=body.get("fromLocalDate"),
        to_local_date=body.get("toLocalDate"), time_zone=body.get("timeZone"), resource_ids=resource_ids or None,
        time_slots_per_day=body.get("timeSlotsPerDay"), cursor=cursor, limit=limit or 1000)
    return JsonResponse(shapes_slots.render_list(response))


@endpoint("visitor")
def get_time_slot(call: Call):
    body = call.body
    resource_ids = [i for group in body.get("resourceTypes") or [] for i in group.get("resourceIds") or []]
    slot = engine().get_availability_time_slot(
        service_id=body["serviceId"], local_start_date=body["localStartDate"], local_end_date=body["localEndDate"],
        time_zone=body.get("timeZone"), resource_ids=resource_ids or None)
    return JsonResponse(shapes_slots.render_one(slot, body.get("timeZone") or engine().get_business_info().time_zone))


@endpoint("visitor")
def list_event_time_slots(call: Call):
    body = call.body
    cursor, limit = _paging(body)
    service_ids = list(body.get("serviceIds") or [])
    types = service_types()
    if service_ids and all(types.get(i) == "COURSE" for i in service_ids) and not cursor:
        return JsonResponse(shapes_slots.render_list(_course_sessions(body, service_ids), paging_key="pagingMetadata"))
    response = engine().list_event_time_slots(
        service_ids=service_ids or None, from_local_date=body.get("fromLocalDate"),
        to_local_date=body.get("toLocalDate"), time_zone=body.get("timeZone"),
        include_non_bookable=body.get("includeNonBookable", True),
        min_bookable_capacity=body.get("minBookableCapacity"), max_slots_per_day=body.get("maxSlotsPerDay"),
        cursor=cursor, limit=limit or 50)
    return JsonResponse(shapes_slots.render_list(response, paging_key="pagingMetadata"))


def _course_sessions(body: dict, service_ids: list[str]) -> p.ListTimeSlotsResponse:
    """A course's sessions as event slots over [from, to): what Wix's calendar has for them."""
    tz = parse_time_zone(body.get("timeZone") or engine().get_business_info().time_zone)
    start, end = body.get("fromLocalDate") or "", body.get("toLocalDate") or "9999"
    sessions = []
    for service_id in service_ids:
        course = engine().get_course_availability(service_id=service_id, time_zone=tz.key)
        sessions.extend(s for s in course.sessions if start <= format_local_date(s.start_date, tz) <= end)
    return p.ListTimeSlotsResponse(time_slots=tuple(sorted(sessions, key=lambda s: s.start_date)), time_zone=tz.key)


@endpoint("visitor", method="GET")
def get_event_time_slot(call: Call, event_id: str):
    time_zone = call.request.GET.get("timeZone") or None
    slot = engine().get_event_time_slot(event_id=event_id, time_zone=time_zone)
    return JsonResponse(shapes_slots.render_one(slot, time_zone or engine().get_business_info().time_zone))


def _selections(body: dict) -> list[p.ServiceSelection]:
    services = body.get("services")
    if not isinstance(services, list):
        raise InvalidArgument("services is required.", field_violations={"services": "must be an array"})
    return [p.ServiceSelection(service_id=str(s["serviceId"]), resource_ids=tuple(s.get("resourceIds") or ()))
            for s in services]


@endpoint("visitor")
def list_multi_service_time_slots(call: Call):
    body = call.body
    response = engine().list_multi_service_availability_time_slots(
        services=_selections(body), from_local_date=body.get("fromLocalDate"), to_local_date=body.get("toLocalDate"),
        time_zone=body.get("timeZone"), time_slots_per_day=body.get("timeSlotsPerDay"))
    return JsonResponse(shapes_slots.render_list(response))


@endpoint("visitor")
def get_multi_service_time_slot(call: Call):
    body = call.body
    slot = engine().get_multi_service_availability_time_slot(
        services=_selections(body), local_start_date=body["localStartDate"], time_zone=body.get("timeZone"))
    return JsonResponse(shapes_slots.render_one(slot, body.get("timeZone") or engine().get_business_info().time_zone))
