"""A refund is asked for by the worker, not by the request that canceled: with the database task backend nothing
reaches Stripe (the sandbox) until the worker runs, and then exactly one refund."""

import pytest

from booking.backends.local import LocalEngine
from booking.port import Caller, CancelFlowControlSettings
from bookingsite.sandboxes.stripe.models import SandboxObject
from payments.models import StripeRefund
from tests.notify_helpers import work
from tests.test_stripe_sandbox import path, sandbox_action, start_paying, studio, the_booking  # noqa: F401

pytestmark = [pytest.mark.usefixtures("running_clock", "db_tasks"), pytest.mark.django_db(transaction=True)]


def test_the_refund_of_a_canceled_booking_waits_for_the_worker_and_is_made_once(client, studio):  # noqa: F811
    client.get(path(sandbox_action(client, start_paying(client, studio["massage"])["Location"], "pay")["Location"]))
    booking = the_booking()
    LocalEngine().cancel_booking(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF,
                                 flow_control_settings=CancelFlowControlSettings(with_refund=True))
    assert StripeRefund.objects.get().status == "requested"
    assert not SandboxObject.objects.filter(type="refund").exists()
    work()
    refund = StripeRefund.objects.get()
    assert refund.status == "succeeded" and SandboxObject.objects.filter(type="refund").count() == 1
    assert the_booking().payment_status == "REFUNDED"
    work()
    assert SandboxObject.objects.filter(type="refund").count() == 1
