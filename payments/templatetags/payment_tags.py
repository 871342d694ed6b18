"""{% payment_amounts service %} on the booking steps, {% payment_amounts service booking %} on a booking's page:
the price, the deposit taken online, and what is due at the visit."""

from django import template

from payments import pricing

register = template.Library()


@register.inclusion_tag("payments/_amounts.html")
def payment_amounts(service, booking=None, participants=1):
    if service is None:
        return {"amounts": None}
    if booking is not None:
        return {"amounts": pricing.for_booking(booking, service), "settled": pricing.settlement(booking, service),
                "service": service, "booking": booking}
    return {"amounts": pricing.breakdown(service, participants), "service": service, "online":
            pricing.can_pay_online(service), "in_person": service.payment.options.in_person}
