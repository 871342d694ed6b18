"""Rows for a `<dl class="summary">`: the price, the deposit taken online, what was paid and what is due at the visit.

    {% load payment_tags %}
    {% payment_rows service %}            on the booking steps (for `participants`, add participants=n)
    {% payment_rows service booking %}    on a booking's page, from its payment status
"""

from django import template

from booking.context_processors import ENUMS
from payments import pricing

register = template.Library()


@register.inclusion_tag("payments/_amounts.html")
def payment_rows(service, booking=None, participants=1):
    if service is None:
        return {"amounts": None}
    if booking is not None:
        # An inclusion tag's template has only this context, so it gets the enum it compares with here.
        return {"amounts": pricing.for_booking(booking, service), "settled": pricing.settlement(booking, service),
                "service": service, "booking": booking, "PaymentStatus": ENUMS["PaymentStatus"]}
    return {"amounts": pricing.breakdown(service, participants), "service": service,
            "online": pricing.can_pay_online(service), "in_person": service.payment.options.in_person}
