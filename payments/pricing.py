"""What a booking costs and how it is settled: the price, the part paid online (all of it, or the deposit), and what
is left to pay at the visit.

Money is a Decimal in the business currency here and everywhere in the site; minor units (cents) exist only at the
Stripe boundary, in `payments.stripe_api`.
"""

from dataclasses import dataclass
from decimal import Decimal

from booking.port import Booking, BookingStatus, Money, PaymentStatus, RateType, Service

CHARGEABLE_RATES = frozenset({RateType.FIXED, RateType.VARIED})


@dataclass(frozen=True)
class Breakdown:
    """The price of a booking for some participants. `online` is what Stripe charges when the customer pays online;
    `at_visit` is what is still due in person after that (zero unless a deposit was taken)."""

    total: Money | None
    online: Money | None = None
    at_visit: Money | None = None
    is_deposit: bool = False


def _times(money: Money, count: int) -> Money:
    return Money(value=(Decimal(money.value) * count).quantize(Decimal("0.01")), currency=money.currency)


def can_pay_online(service: Service) -> bool:
    """A fixed or varied price above zero, with online payment switched on (Wix's rule for options.online)."""
    payment = service.payment
    return bool(
        payment.options.online and payment.rate_type in CHARGEABLE_RATES
        and payment.price is not None and payment.price.value > 0
    )


def takes_deposit(service: Service) -> bool:
    payment = service.payment
    return bool(
        can_pay_online(service) and payment.options.deposit and payment.deposit is not None
        and 0 < payment.deposit.value < payment.price.value
    )


def breakdown(service: Service, participants: int = 1, unit_price: Money | None = None) -> Breakdown:
    """The price for `participants` people. `unit_price` is the price a booking was made at (it may differ from the
    service's current price); the deposit is the service's, per participant like the price."""
    payment = service.payment
    price = unit_price or (payment.price if payment.rate_type in CHARGEABLE_RATES else None)
    if price is None:
        return Breakdown(total=None)
    total = _times(price, participants)
    if takes_deposit(service):
        online = _times(payment.deposit, participants)
        return Breakdown(total=total, online=online, at_visit=Money(total.value - online.value, total.currency),
                         is_deposit=True)
    return Breakdown(total=total, online=total, at_visit=Money(Decimal("0.00"), total.currency))


def for_booking(booking: Booking, service: Service) -> Breakdown:
    return breakdown(service, booking.total_participants, booking.price)


def settlement(booking: Booking, service: Service | None) -> dict:
    """For the confirmation page: what was paid and what is still due at the visit, from the payment status."""
    if service is None:
        return {}
    amounts = for_booking(booking, service)
    if amounts.total is None:
        return {"total": None, "paid": None, "due": None}
    zero = Money(Decimal("0.00"), amounts.total.currency)
    paid = {
        PaymentStatus.PAID: amounts.total,
        PaymentStatus.PARTIALLY_PAID: amounts.online if amounts.is_deposit else None,
        PaymentStatus.REFUNDED: zero,
    }.get(booking.payment_status, zero)
    if booking.payment_status == PaymentStatus.EXEMPT:
        return {"total": amounts.total, "paid": zero, "due": zero}
    due = None if paid is None else Money(amounts.total.value - paid.value, amounts.total.currency)
    if booking.payment_status == PaymentStatus.REFUNDED or booking.status in {BookingStatus.CANCELED,
                                                                              BookingStatus.DECLINED}:
        due = zero
    return {"total": amounts.total, "paid": paid, "due": due}
