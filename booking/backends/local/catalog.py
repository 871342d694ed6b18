"""The local engine's catalog: the business, its visible services, their booking forms and the default policy.

Every use case reads the business (with the calendar and catalog versions) and its services through here, and
through the request cache, so that a page asking for them several times queries them once
(booking/backends/request_cache.py). The services and forms are also kept between requests under the catalog version
(catalog_cache.py): a page that finds them there reads only the business row.
"""

import json

from django.db import connection
from django.db.models import Subquery
from django.db.models.functions import JSONObject

from booking import calendar_version, catalog_version, models
from booking.errors import InvalidArgument, NotFound
from booking.ids import parse_int_id
from booking.port import BusinessInfo, FormSummary, Service, ServiceType

from ..request_cache import memo, remember
from . import convert, sql
from .catalog_cache import kept


def get_business_info() -> BusinessInfo:
    found = business()
    if found is None:
        return BusinessInfo("Your business", "UTC", "USD", "", "", "")
    return convert.business(found)


def visible_services():
    """Visible services with their category and policy (sql.attach_staff_and_locations adds the rest)."""
    return models.Service.objects.filter(hidden=False).select_related("category", "booking_policy")


def query_services(*, filter: dict | None = None) -> list[Service]:  # noqa: A002 (Wix's name)
    filter = filter or {}  # noqa: A001
    key = ("services", *sorted((name, str(value)) for name, value in filter.items()))
    services = kept(catalog_token(), key, lambda: _read_services(filter))
    if any(s.booking_policy is None for s in services):
        policy = default_policy()
        for s in services:
            s.booking_policy = s.booking_policy or policy
    for s in services:
        remember(("service", s.pk), s)
    currency = get_business_info().currency
    return [convert.service(s, currency) for s in services]


def _read_services(filter: dict) -> list[models.Service]:  # noqa: A002
    queryset = visible_services()
    if "id" in filter:
        queryset = queryset.filter(pk=parse_int_id(filter["id"]))
    if "type" in filter:
        queryset = queryset.filter(type=filter["type"])
    if "mainSlug.name" in filter:
        queryset = queryset.filter(slug=filter["mainSlug.name"])
    if "id" in filter or "mainSlug.name" in filter:
        # At most one row (both are unique): the catalog's order joins and sorts for nothing, and compiling it
        # was a third of this read.
        queryset = queryset.order_by()
    services = list(queryset)
    sql.attach_staff_and_locations(services)
    return services


def business() -> models.Business | None:
    """The business row with the default booking policy read alongside it, as JSON: one query for both."""
    return memo(("business",), _read_business)


def _read_business() -> models.Business | None:
    # Compiled once per database: building the JSON subquery cost about twice what running it does, and a slot
    # page served from the page cache is this one query (docs/performance.md).
    if connection.vendor not in _BUSINESS_SQL:
        _BUSINESS_SQL[connection.vendor] = (
            _BUSINESS_WITH_DEFAULT_POLICY.order_by("pk")[:1].query.get_compiler(connection=connection).as_sql())
    return next(iter(models.Business.objects.raw(*_BUSINESS_SQL[connection.vendor])), None)


_BUSINESS_SQL: dict[str, tuple[str, tuple]] = {}


def version_now() -> int:
    """The calendar version (booking/calendar_version.py), read with the business row: no query of its own in a
    request that reads the business anyway. A bump forgets that row, so a listing after a write reads it again."""
    found = business()
    if found is None:
        return calendar_version.current()
    return found.calendar_version or 0


def catalog_token() -> int | None:
    """The catalog version's token (booking/catalog_version.py), read with the business row; None without one."""
    found = business()
    return found.catalog_version if found is not None else None


def default_policy() -> models.BookingPolicy | None:
    found = business()
    if found is None:  # no business yet: nothing is booked either
        return models.BookingPolicy.objects.filter(is_default=True).first()
    if found.default_policy is None:
        return None
    return memo(("default_policy",), lambda: _policy_from_json(found.default_policy))


def get_service(service_id: str) -> models.Service:
    """A visible service with its active staff, locations and booking policy (the default one if it has none)."""
    pk = parse_int_id(service_id)
    service = memo(("service", pk), lambda: kept(catalog_token(), ("service", pk), lambda: _one_service(pk)))
    if service is None:
        raise NotFound("We could not find that service.", code="SERVICE_NOT_FOUND")
    if service.booking_policy is None:
        service.booking_policy = default_policy()
    return service


def _one_service(pk: int) -> models.Service | None:
    # Not .first(): it would order by the model's ordering, which joins the category, to pick one row of one.
    service = next(iter(visible_services().filter(pk=pk).order_by()), None)
    if service is not None:
        sql.attach_staff_and_locations([service])
    return service


def appointment_service(service_id: str) -> models.Service:
    service = get_service(service_id)
    if service.type != ServiceType.APPOINTMENT:
        raise InvalidArgument("Time slots are listed for appointment services only.")
    return service


def staff_names(service) -> dict[int, str]:
    return {s.pk: s.name for s in service.active_staff}


def get_form_summary(form_id: str) -> FormSummary:
    if form_id == convert.DEFAULT_FORM_ID:
        return convert.DEFAULT_FORM
    pk = parse_int_id(form_id)
    summary = kept(catalog_token(), ("form", pk), lambda: _read_form(pk))
    if summary is None:
        raise NotFound("We could not find that booking form.", code="FORM_NOT_FOUND")
    return summary


def _read_form(pk: int) -> FormSummary | None:
    form = models.BookingForm.objects.filter(pk=pk).prefetch_related("fields").first()
    return convert.form_summary(form) if form is not None else None


# The query behind `business()`, built once: resolving the JSON object of the policy's fields took longer than
# running the query. Never evaluated itself: `first()` orders and slices a copy.
_BUSINESS_WITH_DEFAULT_POLICY = models.Business.objects.annotate(default_policy=Subquery(
    models.BookingPolicy.objects.filter(is_default=True).order_by("pk").values(
        json=JSONObject(**{f.attname: f.attname for f in models.BookingPolicy._meta.concrete_fields}))[:1]
), calendar_version=Subquery(models.CalendarVersion.objects.filter(pk=calendar_version.ROW).values("version")[:1]),
    catalog_version=Subquery(models.CatalogVersion.objects.filter(pk=catalog_version.ROW).values("token")[:1]))


def _policy_from_json(data) -> models.BookingPolicy:
    """An unsaved BookingPolicy from the JSON the database built (SQLite gives booleans as 0 and 1)."""
    if isinstance(data, str):
        data = json.loads(data)
    fields = models.BookingPolicy._meta.concrete_fields
    return models.BookingPolicy(**{f.attname: f.to_python(data[f.attname]) for f in fields})
