"""Payments' background work: asking Stripe for a refund happens in the worker, never in the request that canceled."""

from django.tasks import task

from . import refunds


@task
def send_refund(refund_pk: int) -> str:
    return refunds.send_refund(refund_pk).status
