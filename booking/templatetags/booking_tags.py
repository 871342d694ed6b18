from decimal import Decimal

from django import template

from booking.port import RateType

register = template.Library()

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "JPY": "¥"}


@register.filter
def money(amount) -> str:
    """A Money as the customer reads it: $45.00, or 45.00 CHF for currencies without a symbol here."""
    if amount is None:
        return ""
    value = Decimal(amount.value).quantize(Decimal("0.01"))
    symbol = SYMBOLS.get(amount.currency)
    return f"{symbol}{value:,}" if symbol else f"{value:,} {amount.currency}"


@register.filter
def duration(minutes) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


@register.filter
def price_label(service) -> str:
    payment = service.payment
    if payment.rate_type == RateType.NO_FEE:
        return "Free"
    if payment.rate_type == RateType.CUSTOM:
        return payment.custom_description
    label = money(payment.price)
    return f"From {label}" if payment.rate_type == RateType.VARIED else label
