"""The Wix enums and constants the port's types use; each value is the string Wix sends."""

import enum

# Wix's resource type id for staff members (wix-api.md §0).
STAFF_RESOURCE_TYPE_ID = "1cd44cf8-756f-41c3-bd90-3e2ffcaf1155"


# The Wix enums the pages, payments and backends share; each value is the string Wix sends (wix-api.md §2.3, §5.1).


class BookingStatus(enum.StrEnum):
    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    CANCELED = "CANCELED"
    PENDING = "PENDING"
    DECLINED = "DECLINED"
    WAITING_LIST = "WAITING_LIST"


class PaymentStatus(enum.StrEnum):
    UNDEFINED = "UNDEFINED"
    NOT_PAID = "NOT_PAID"
    PAID = "PAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    REFUNDED = "REFUNDED"
    EXEMPT = "EXEMPT"


class SelectedPaymentOption(enum.StrEnum):
    UNDEFINED = "UNDEFINED"
    OFFLINE = "OFFLINE"
    ONLINE = "ONLINE"
    MEMBERSHIP = "MEMBERSHIP"


class ServiceType(enum.StrEnum):
    APPOINTMENT = "APPOINTMENT"
    CLASS = "CLASS"
    COURSE = "COURSE"


class RateType(enum.StrEnum):
    FIXED = "FIXED"
    VARIED = "VARIED"
    CUSTOM = "CUSTOM"
    NO_FEE = "NO_FEE"


class Caller(enum.Enum):
    """Who is calling: flow-control settings are honoured for staff only (wix-api.md §5.2)."""

    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"
