"""Wix's JSON and the port's dataclasses, both ways: `parse_*` for the client, `render_*` for the sandbox.

Field names are Wix's (camelCase) as wix-api.md and Wix's published examples give them. Quirks handled here:
revision is an int64 sent as a string; money is `{value: "25", currency}`; booking dates are UTC `...Z` (with or
without millis, or with an offset in Query Extended Bookings); time-slot dates are local `YYYY-MM-DDThh:mm:ss`
beside a `timeZone`, from which the port's UTC `start_date`/`end_date` are computed; a booking's location type is
`OWNER_BUSINESS` where a time slot's is `BUSINESS`; `totalParticipants` is documented once as `[1, 1]`.

What Wix's booking does not carry but the port's does (the price, the form answers) travels in the booking's
`extendedFields.namespaces`, Wix's place for an app's own fields, under EXTENSION_NAMESPACE.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from booking import port as p
from booking.errors import InvalidArgument

EXTENSION_NAMESPACE = "bookingsite"
_COLON_MILLIS = re.compile(r"(T\d{2}:\d{2}:\d{2}):(\d{3})")

# The time-slot location enum (Time Slots V2) and the booking's (Bookings Writer V2) name the same places apart.
SLOT_TO_BOOKING_LOCATION = {"BUSINESS": "OWNER_BUSINESS", "CUSTOM": "OWNER_CUSTOM", "CUSTOMER": "CUSTOM"}
BOOKING_TO_SLOT_LOCATION = {value: key for key, value in SLOT_TO_BOOKING_LOCATION.items()}

# Wix Forms field types (§7) against the port's; CHOICE and LONG_TEXT are STRING fields with options / a text area.
FORM_TYPE_TO_WIX = {"TEXT": "STRING", "LONG_TEXT": "STRING", "EMAIL": "EMAIL", "PHONE": "PHONE", "NUMBER": "NUMBER",
                    "CHOICE": "STRING", "MULTI_CHOICE": "ARRAY", "CHECKBOX": "BOOLEAN", "DATE": "DATE"}
TEXT_AREA = "TEXT_AREA"


# ---- scalars -----------------------------------------------------------------------------------------------------


def revision(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def participants(value) -> int:
    """`totalParticipants`: a number, or the `[1, 1]` of some documented examples (taken as its first item)."""
    if isinstance(value, list):
        value = value[0] if value else 1
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def instant(value: str | None) -> datetime | None:
    """A Wix timestamp (`2022-12-26T12:00:00Z`, `...00.000Z`, `...00.000+01:00`) as an aware UTC datetime."""
    if not value:
        return None
    # Wix's docs also write the millis after a colon: 2026-01-30T13:30:00:000-05:00 (§0).
    text = _COLON_MILLIS.sub(r"\1.\2", str(value)).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument(f"“{value}” is not a date Wix sends.", code="INVALID_DATE_FORMAT") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def render_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def money(value: dict | None) -> p.Money | None:
    if not isinstance(value, dict) or value.get("value") in (None, ""):
        return None
    try:
        return p.Money(Decimal(str(value["value"])), str(value.get("currency", "")))
    except InvalidOperation:
        return None


def render_money(value: p.Money | None) -> dict | None:
    if value is None:
        return None
    return {"value": format(value.value, "f"), "currency": value.currency}


# ---- business and catalog ----------------------------------------------------------------------------------------


def parse_business(body: dict) -> p.BusinessInfo:
    props = body.get("properties") or {}
    address = props.get("address") or {}
    return p.BusinessInfo(
        name=props.get("businessName") or props.get("siteDisplayName") or "",
        time_zone=props.get("timeZone") or "UTC",
        currency=props.get("paymentCurrency") or "USD",
        address=address.get("formatted") or address.get("formattedAddress") or "",
        email=props.get("email") or "",
        phone=props.get("phone") or "",
    )


def render_business(info: p.BusinessInfo) -> dict:
    return {"properties": {"businessName": info.name, "siteDisplayName": info.name, "timeZone": info.time_zone,
                           "paymentCurrency": info.currency, "address": {"formatted": info.address},
                           "email": info.email, "phone": info.phone}}


def parse_location(value: dict | None) -> p.Location | None:
    """A location from a time slot, a booking slot or a service (`{type, business: {id, name, address}}`)."""
    if not isinstance(value, dict):
        return None
    if "business" in value or ("type" in value and "locationType" not in value):
        business = value.get("business") or {}
        address = business.get("address") or value.get("calculatedAddress") or {}
        formatted = address.get("formattedAddress", "") if isinstance(address, dict) else str(address)
        return p.Location(id=str(business.get("id", "")), name=business.get("name", ""),
                          formatted_address=formatted, location_type=value.get("type") or "BUSINESS")
    kind = value.get("locationType") or "BUSINESS"
    return p.Location(id=str(value.get("id", "")), name=value.get("name", ""),
                      formatted_address=value.get("formattedAddress", ""),
                      location_type=BOOKING_TO_SLOT_LOCATION.get(kind, kind))


def render_slot_location(loc: p.Location | None) -> dict | None:
    if loc is None:
        return None
    return {"id": loc.id, "name": loc.name, "formattedAddress": loc.formatted_address,
            "locationType": loc.location_type}


def render_booking_location(loc: p.Location | None) -> dict | None:
    if loc is None:
        return None
    return {"id": loc.id, "name": loc.name, "formattedAddress": loc.formatted_address,
            "locationType": SLOT_TO_BOOKING_LOCATION.get(loc.location_type, loc.location_type)}


def _policy(value: dict) -> p.BookingPolicy:
    def sub(name):
        return value.get(name) or {}

    return p.BookingPolicy(
        id=str(value.get("id", "")),
        name=value.get("name", ""),
        description=(sub("customPolicyDescription").get("description") or ""),
        limit_early_booking_enabled=bool(sub("limitEarlyBookingPolicy").get("enabled")),
        earliest_booking_in_minutes=int(sub("limitEarlyBookingPolicy").get("earliestBookingInMinutes", 10080)),
        limit_late_booking_enabled=bool(sub("limitLateBookingPolicy").get("enabled")),
        latest_booking_in_minutes=int(sub("limitLateBookingPolicy").get("latestBookingInMinutes", 1440)),
        book_after_start_enabled=bool(sub("bookAfterStartPolicy").get("enabled")),
        cancellation_enabled=bool(sub("cancellationPolicy").get("enabled")),
        limit_latest_cancellation=bool(sub("cancellationPolicy").get("limitLatestCancellation")),
        latest_cancellation_in_minutes=int(sub("cancellationPolicy").get("latestCancellationInMinutes", 1440)),
        reschedule_enabled=bool(sub("reschedulePolicy").get("enabled")),
        limit_latest_reschedule=bool(sub("reschedulePolicy").get("limitLatestReschedule")),
        latest_reschedule_in_minutes=int(sub("reschedulePolicy").get("latestRescheduleInMinutes", 1440)),
        max_participants_per_booking=int(sub("participantsPolicy").get("maxParticipantsPerBooking", 1)),
    )


def _render_policy(pol: p.BookingPolicy) -> dict:
    return {
        "id": pol.id, "name": pol.name,
        "customPolicyDescription": {"enabled": bool(pol.description), "description": pol.description},
        "limitEarlyBookingPolicy": {"enabled": pol.limit_early_booking_enabled,
                                    "earliestBookingInMinutes": pol.earliest_booking_in_minutes},
        "limitLateBookingPolicy": {"enabled": pol.limit_late_booking_enabled,
                                   "latestBookingInMinutes": pol.latest_booking_in_minutes},
        "bookAfterStartPolicy": {"enabled": pol.book_after_start_enabled},
        "cancellationPolicy": {"enabled": pol.cancellation_enabled,
                               "limitLatestCancellation": pol.limit_latest_cancellation,
                               "latestCancellationInMinutes": pol.latest_cancellation_in_minutes},
        "reschedulePolicy": {"enabled": pol.reschedule_enabled, "limitLatestReschedule": pol.limit_latest_reschedule,
                             "latestRescheduleInMinutes": pol.latest_reschedule_in_minutes},
        "participantsPolicy": {"enabled": True, "maxParticipantsPerBooking": pol.max_participants_per_booking},
    }


def parse_service(value: dict) -> p.Service:
    payment = value.get("payment") or {}
    rate = payment.get("rateType") or "NO_FEE"
    priced = payment.get("fixed") or {} if rate == "FIXED" else payment.get("varied") or {}
    options = payment.get("options") or {}
    schedule = value.get("schedule") or {}
    constraints = schedule.get("availabilityConstraints") or {}
    durations = constraints.get("sessionDurations") or [0]
    category = value.get("category") or {}
    staff = (value.get("staffMemberDetails") or {}).get("staffMembers") or []
    online = value.get("onlineBooking") or {}
    return p.Service(
        id=str(value["id"]),
        type=value.get("type", "APPOINTMENT"),
        name=value.get("name", ""),
        slug=(value.get("mainSlug") or {}).get("name", ""),
        tag_line=value.get("tagLine", ""),
        description=value.get("description", ""),
        category=p.Category(id=str(category.get("id", "")), name=category.get("name", ""),
                            sort_order=int(category.get("sortOrder", 0))),
        default_capacity=int(value.get("defaultCapacity", 1)),
        session_duration_minutes=int(durations[0]),
        time_between_sessions=int(constraints.get("timeBetweenSessions", 0)),
        payment=p.Payment(
            rate_type=rate,
            price=money(priced.get("price") or priced.get("defaultPrice")) if rate in ("FIXED", "VARIED") else None,
            deposit=money(priced.get("deposit")) if options.get("deposit") else None,
            custom_description=(payment.get("custom") or {}).get("description", ""),
            options=p.PaymentOptions(online=bool(options.get("online")), in_person=bool(options.get("inPerson")),
                                     deposit=bool(options.get("deposit"))),
        ),
        online_booking=p.OnlineBooking(enabled=bool(online.get("enabled", True)),
                                       require_manual_approval=bool(online.get("requireManualApproval"))),
        locations=tuple(loc for loc in (parse_location(v) for v in value.get("locations") or []) if loc),
        staff_members=tuple(p.Resource(id=str(m.get("staffMemberId", "")), name=m.get("name", "")) for m in staff),
        form_id=str((value.get("form") or {}).get("id", "")),
        booking_policy=_policy(value.get("bookingPolicy") or {}),
        schedule_id=str(schedule.get("id", "")),
    )


def render_service(s: p.Service) -> dict:
    pay = s.payment
    payment: dict = {"rateType": pay.rate_type, "options": {"online": pay.options.online,
                                                             "inPerson": pay.options.in_person,
                                                             "deposit": pay.options.deposit, "pricingPlan": False}}
    if pay.rate_type == "FIXED":
        payment["fixed"] = {"price": render_money(pay.price), "deposit": render_money(pay.deposit)}
    elif pay.rate_type == "VARIED":
        payment["varied"] = {"defaultPrice": render_money(pay.price), "deposit": render_money(pay.deposit)}
    elif pay.rate_type == "CUSTOM":
        payment["custom"] = {"description": pay.custom_description}
    return {
        "id": s.id, "type": s.type, "name": s.name, "tagLine": s.tag_line, "description": s.description,
        "defaultCapacity": s.default_capacity, "hidden": False,
        "category": {"id": s.category.id, "name": s.category.name, "sortOrder": s.category.sort_order},
        "form": {"id": s.form_id},
        "payment": payment,
        "onlineBooking": {"enabled": s.online_booking.enabled,
                          "requireManualApproval": s.online_booking.require_manual_approval,
                          "allowMultipleRequests": False},
        "staffMemberIds": [m.id for m in s.staff_members],
        "staffMemberDetails": {"staffMembers": [{"staffMemberId": m.id, "name": m.name} for m in s.staff_members]},
        "locations": [{"type": loc.location_type, "business": {"id": loc.id, "name": loc.name, "default": False,
                                                               "address": {"formattedAddress": loc.formatted_address}}}
                      for loc in s.locations],
        "bookingPolicy": _render_policy(s.booking_policy),
        "schedule": {"id": s.schedule_id, "availabilityConstraints": {
            "sessionDurations": [s.session_duration_minutes], "timeBetweenSessions": s.time_between_sessions}},
        "mainSlug": {"name": s.slug, "custom": False},
    }


def parse_form_summary(body: dict) -> p.FormSummary:
    summary = body.get("formSummary") or body
    fields = []
    for f in summary.get("fields") or []:
        if f.get("deleted"):
            continue
        options = tuple(str(o.get("value", o.get("label", ""))) if isinstance(o, dict) else str(o)
                        for o in f.get("options") or [])
        wix_type = f.get("type", "STRING")
        if wix_type == "STRING":
            kind = "CHOICE" if options else "LONG_TEXT" if f.get("componentType") == TEXT_AREA else "TEXT"
        else:
            kind = {"ARRAY": "MULTI_CHOICE", "BOOLEAN": "CHECKBOX"}.get(wix_type, wix_type)
        target = str(f.get("target", ""))
        required = f.get("required")  # not confirmed in Wix's summary (§7): Wix's default form's three are
        if required is None:
            required = target in ("first_name", "last_name", "email")
        fields.append(p.FormField(id=str(f.get("id", target)), target=target, label=f.get("label", ""), type=kind,
                                  required=bool(required), options=options, help_text=f.get("helpText", "")))
    return p.FormSummary(id=str(summary.get("id", "")), fields=tuple(fields))


def render_form_summary(form: p.FormSummary) -> dict:
    fields = []
    for f in form.fields:
        field = {"id": f.id, "target": f.target, "label": f.label, "type": FORM_TYPE_TO_WIX.get(f.type, "STRING"),
                 "required": f.required, "deleted": False, "helpText": f.help_text,
                 "options": [{"value": o, "label": o} for o in f.options]}
        if f.type == "LONG_TEXT":
            field["componentType"] = TEXT_AREA
        fields.append(field)
    return {"formSummary": {"id": form.id, "fields": fields}}
