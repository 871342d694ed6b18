"""Checkout providers: how a customer settles a booking once it is created.

A provider says whether it is offered for a service and finishes a CREATED booking. Providers that take money
elsewhere (Stripe, Wix's hosted checkout) return a `CheckoutRedirect` to their payment page, and give that up again
in `abandon()`; the ones below settle at once: a new booking is made settled (`settles_with()`, the port's Create
And Settle Booking), one made otherwise with Confirm Or Decline Booking. The registry is a plain dict, in the
order options are shown. Booking's views use the registry and nothing else of payments.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from booking.backends import get_backend
from booking.port import Booking, PaymentStatus, RateType, SelectedPaymentOption, Service
from payments import stripe_checkout, wix_ecom


@dataclass(frozen=True)
class CheckoutRedirect:
    """Send the customer to a payment page; the booking is settled later (by webhook)."""

    url: str


@dataclass(frozen=True)
class CheckoutProvider:
    name: str
    label: str
    selected_payment_option: SelectedPaymentOption

    def is_offered(self, service: Service) -> bool:
        raise NotImplementedError

    def settles_with(self) -> PaymentStatus | None:
        """The payment status a booking is confirmed with as it is made (Create And Settle Booking), for providers
        that take no payment first; None for those that `complete()` the booking once it exists."""
        return None

    def complete(self, booking: Booking, request: HttpRequest) -> Booking | CheckoutRedirect:
        """Settle a CREATED booking (returning it CONFIRMED, PENDING or DECLINED) or send the customer to pay."""
        raise NotImplementedError

    @classmethod
    def abandon(cls, booking_id: str) -> None:
        """The customer gives up paying for the booking: end whatever payment this kind of provider started for it.
        Providers that settle at once start nothing."""


class FreeProvider(CheckoutProvider):
    def is_offered(self, service: Service) -> bool:
        return service.payment.rate_type == RateType.NO_FEE

    def settles_with(self) -> PaymentStatus:
        return PaymentStatus.EXEMPT

    def complete(self, booking: Booking, request: HttpRequest) -> Booking:
        return get_backend().confirm_or_decline_booking(booking.id, payment_status=self.settles_with())


class InPersonProvider(CheckoutProvider):
    def is_offered(self, service: Service) -> bool:
        payment = service.payment
        if payment.rate_type == RateType.NO_FEE:
            return False
        return payment.options.in_person or payment.rate_type == RateType.CUSTOM

    def settles_with(self) -> PaymentStatus | None:
        # A Wix eCommerce site records the booking as an unpaid order instead (complete()).
        return None if wix_ecom.in_use() else PaymentStatus.NOT_PAID

    def complete(self, booking: Booking, request: HttpRequest) -> Booking:
        if wix_ecom.in_use():
            # A Wix eCommerce site records the booking as an unpaid order; Wix confirms it with the order.
            return wix_ecom.place_offline(booking)
        return get_backend().confirm_or_decline_booking(booking.id, payment_status=self.settles_with())


@dataclass(frozen=True)
class StripeProvider(CheckoutProvider):
    """Stripe Checkout (payments/stripe_checkout.py): holds the time, then sends the customer to pay. With `deposit`,
    offered only for services that take a deposit online, and charging just that."""

    deposit: bool = False

    def is_offered(self, service: Service) -> bool:
        return not wix_ecom.in_use() and stripe_checkout.offers_online(service, deposit=self.deposit)

    def complete(self, booking: Booking, request: HttpRequest) -> CheckoutRedirect:
        return CheckoutRedirect(stripe_checkout.start_checkout(booking, request))

    @classmethod
    def abandon(cls, booking_id: str) -> None:
        stripe_checkout.abandon_checkout(booking_id)  # ends open sessions, releases the hold


@dataclass(frozen=True)
class WixEcomProvider(CheckoutProvider):
    """The Wix site's hosted checkout (payments/wix_ecom.py): Wix takes the payment, deposit or not, and moves the
    booking with its order; nothing here confirms it."""

    def is_offered(self, service: Service) -> bool:
        return wix_ecom.offers(service)

    def complete(self, booking: Booking, request: HttpRequest) -> CheckoutRedirect:
        return CheckoutRedirect(wix_ecom.start(booking, request))


PROVIDERS: dict[str, CheckoutProvider] = {
    "free": FreeProvider("free", "No payment needed", SelectedPaymentOption.UNDEFINED),
    "stripe": StripeProvider("stripe", "Pay online", SelectedPaymentOption.ONLINE),
    "stripe_deposit": StripeProvider("stripe_deposit", "Pay a deposit online, the rest at your visit",
                                     SelectedPaymentOption.ONLINE,
                                     deposit=True),
    "wix_ecom": WixEcomProvider("wix_ecom", "Pay online on the secure checkout", SelectedPaymentOption.ONLINE),
    "in_person": InPersonProvider("in_person", "Pay in person at your visit", SelectedPaymentOption.OFFLINE),
}


def offered_providers(service: Service) -> list[CheckoutProvider]:
    return [provider for provider in PROVIDERS.values() if provider.is_offered(service)]


def abandon_checkout(booking_id: str) -> None:
    """The customer gives up paying for this booking (to choose another time): every kind of provider ends what it
    started for it (a payment session, the hold on the time). Asked once per kind, whatever it started."""
    for kind in dict.fromkeys(type(provider) for provider in PROVIDERS.values()):
        kind.abandon(booking_id)
