"""Rows for a `<dl class="summary">`: the price, the deposit taken online, what was paid and what is due at the visit.

    {% load payment_tags %}
    {% payment_rows service %}            on the booking steps (for `participants`, add participants=n)
    {% payment_rows service booking %}    on a booking's page, from its payment status
    {% if service|online_payment_unavailable %}   a service paid online only, while this site takes no payments
"""

from django import template

from booking.context_processors import ENUMS
from payments import pricing, stripe_checkout, wix_ecom

register = template.Library()


@register.inclusion_tag("payments/_amounts.html")
def payment_rows(service, booking=None, participants=1):
    if service is None:
        return {"amounts": None}
    if booking is not None:
        # An inclusion tag's template has only this context, so it gets the enum it compares with here.
        return {"amounts": pricing.for_booking(booking, service), "settled": pricing.settlement(booking, service),
                "service": service, "booking": booking, "PaymentStatus": ENUMS["PaymentStatus"],
                "wix": wix_ecom.reported_amounts(booking.id) if wix_ecom.in_use() else None}
    online = stripe_checkout.can_pay_online(service) or wix_ecom.offers(service)
    return {"amounts": pricing.breakdown(service, participants), "service": service, "online": online,
            "in_person": service.payment.options.in_person}


@register.filter
def online_payment_unavailable(service) -> bool:
    """The service could only be paid online, and online payment is off here: it cannot be booked online now."""
    from payments.providers import offered_providers

    return service is not None and pricing.can_pay_online(service) and not offered_providers(service)
