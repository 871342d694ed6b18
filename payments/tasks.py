"""Payments' background work: asking Stripe (or Wix's Order Billing) for a refund happens in the worker, never in the
request that canceled."""

from django.tasks import task

from . import refunds, wix_orders
from .models import StripeCheckout


@task
def send_refund(refund_pk: int) -> str:
    return refunds.send_refund(refund_pk).status


@task
def refund_wix_order(booking_id: str, reason: str) -> list[str]:
    return [refund.status for refund in wix_orders.refund_order(booking_id, reason=reason)]


@task
def record_wix_refund(checkout_pk: int) -> str:
    refund = wix_orders.record_stripe_refund(StripeCheckout.objects.get(pk=checkout_pk))
    return refund.status if refund else "not on a Wix order"
