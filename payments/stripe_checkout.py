"""Paying online with Stripe Checkout, the custom-checkout recipe of Wix (wix-api.md §8.6): take the payment ourselves,
then Confirm Or Decline Booking with the payment status.

- `start_checkout()` gives the CREATED booking its checkout hold and a Checkout Session that expires with it, and
  returns the URL to send the customer to. A session still open for the booking is reused.
- `fulfil_session()` settles the booking once Stripe says the session is paid. The webhook and the return page both
  call it; it claims the checkout in a short transaction, settles through the port outside it, and records that
  it ran, so the booking is settled exactly once.
- `end_session()` handles a session that expired or whose payment failed: the hold is released and the booking
  stays CREATED, so the customer can try again.

In wix mode with WIX_ORDERS_FOR_STRIPE_PAYMENTS, the booking is also an order on the Wix site (the seeds' "paid
online with your own payment page"): Create Checkout and Create Order before the customer is sent to Stripe, Add
Payments with the Stripe transaction once paid, and Wix confirms the booking with its order instead of our Confirm
Or Decline (payments/wix_orders.py).

No call to Stripe or to the bookings port happens inside a database transaction here (the port may be a remote Wix
site, or on SQLite the Wix sandbox sharing our database's one write lock): refunds decided here are sent after
commit.
"""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import dateformat, timezone

from booking import limits
from booking.backends import get_backend
from booking.errors import BookingsError, FailedPrecondition, InvalidArgument, NotFound, SlotNotAvailable
from booking.port import Booking, BookingStatus, Money, PaymentStatus, Service

from . import pricing, stripe_api, wix_ecom, wix_follow, wix_orders
from .models import StripeCheckout
from .refunds import request_refund

logger = logging.getLogger(__name__)

PAID = frozenset({"paid", "no_payment_required"})
# A session closer than this to its expiry is not handed out again: the customer would not have time to pay.
REUSE_MARGIN = timedelta(minutes=5)
# Checkout statuses only move forward, whatever order Stripe's events arrive in.
RANK = {"starting": 0, "open": 1, "complete": 2, "expired": 3, "failed": 3}
# A claim to settle a checkout older than this is taken to be dead (its process stopped mid-call) and can be taken
# over: well beyond the Wix client's timeouts and retries.
SETTLING_CLAIM = timedelta(minutes=2)


def can_pay_online(service: Service) -> bool:
    """The service is paid online (pricing) and this site can take online payments (a Stripe key, or the sandbox)."""
    return stripe_api.available() and pricing.can_pay_online(service)


def offers_online(service: Service, *, deposit: bool) -> bool:
    return can_pay_online(service) and pricing.takes_deposit(service) == deposit


class TooManyHolds(BookingsError):
    http_status = 429
    code = "TOO_MANY_HOLDS"
    default_message = ("You are already holding several times while you pay. Finish paying for one, or wait for "
                       "those holds to end.")


def check_live_holds(request: HttpRequest, booking_id: str | None = None) -> None:
    """Raise TooManyHolds when this client (its session, or its address) already holds the most times allowed while
    paying: checkouts started and not yet paid, abandoned or expired. The booking's own checkout does not count."""
    now = timezone.now()
    live = StripeCheckout.objects.filter(
        status__in=[StripeCheckout.Status.STARTING, StripeCheckout.Status.OPEN], expires_at__gt=now)
    if booking_id:
        live = live.exclude(booking_id=booking_id)
    for kind, limit in (("session", settings.LIMITS["live_holds_per_session"]),
                        ("ip", settings.LIMITS["live_holds_per_ip"])):
        key = limits.client_key(request, kind)
        if key and live.filter(**{f"client_{kind}": key}).values("booking_id").distinct().count() >= limit:
            logger.warning("Refused a checkout hold: %s live holds from one %s", limit, kind)
            raise TooManyHolds()


def service_of(booking: Booking) -> Service:
    services = get_backend().query_services(filter={"id": booking.service_id})
    if not services:
        raise NotFound("This service is no longer offered.")
    return services[0]


def read_booking(booking_id: str) -> Booking | None:
    found = get_backend().query_extended_bookings(booking_ids=[booking_id])
    return found[0] if found else None


# ---- starting a checkout -----------------------------------------------------------------------------------------


def start_checkout(booking: Booking, request: HttpRequest) -> str:
    """Hold the booking's time and return the Stripe Checkout URL for it. Raises SlotNotAvailable when the time was
    taken meanwhile, PaymentError when Stripe cannot be reached (the hold is then released)."""
    if booking.status != BookingStatus.CREATED:
        raise FailedPrecondition("This booking is not waiting for payment.", code="INVALID_BOOKING_STATUS")
    service = service_of(booking)
    amounts = pricing.for_booking(booking, service)
    if not can_pay_online(service) or amounts.online is None:
        raise InvalidArgument("This booking cannot be paid online.", code="INVALID_PAYMENT_OPTION")
    base = stripe_api.api_base(request)
    checkout = _attempt(booking, amounts, base, request)
    backend = get_backend()
    ordered = wix_ecom.orders_for_stripe() and wix_orders.order_row(booking.id) is not None
    try:
        # A running hold is kept as it is; one that lapsed is taken again, or the time is gone (SlotNotAvailable).
        # Once the booking's Wix order is made, its checkout at Wix keeps the time (our check would see it taken).
        if not ordered:
            backend.hold_booking(booking.id, expires_at=checkout.expires_at)
    except BookingsError:
        StripeCheckout.objects.filter(pk=checkout.pk, status=StripeCheckout.Status.STARTING).update(
            status=StripeCheckout.Status.EXPIRED, outcome="The time could not be held.")
        raise
    if wix_ecom.orders_for_stripe() and not ordered:
        try:
            wix_ecom.order_for_stripe(booking)
        except BookingsError:
            StripeCheckout.objects.filter(pk=checkout.pk, status=StripeCheckout.Status.STARTING).update(
                status=StripeCheckout.Status.EXPIRED, outcome="Wix could not make the booking's order.")
            raise
    if checkout.status == StripeCheckout.Status.OPEN and checkout.url:
        return checkout.url
    try:
        session = stripe_api.create_checkout_session(
            base, _session_params(booking, service, checkout, request), idempotency_key=checkout.idempotency_key)
    except stripe_api.PaymentError:
        backend.release_hold(booking.id)
        StripeCheckout.objects.filter(pk=checkout.pk, status=StripeCheckout.Status.STARTING).update(
            status=StripeCheckout.Status.FAILED, outcome="Stripe could not create the session.")
        raise
    StripeCheckout.objects.filter(pk=checkout.pk, status=StripeCheckout.Status.STARTING).update(
        session_id=session["id"], url=session["url"], status=StripeCheckout.Status.OPEN)
    logger.info("Checkout %s started for booking %s (attempt %s)", session["id"], booking.id, checkout.attempt)
    return session["url"]


def _attempt(booking: Booking, amounts: pricing.Breakdown, base: str, request: HttpRequest) -> StripeCheckout:
    """The booking's checkout to use now: its latest one while that can still be paid, else a new attempt. Two
    requests racing here (a double click) agree on one row through the unique (booking, attempt) pair."""
    now = timezone.now()
    latest = StripeCheckout.objects.filter(booking_id=booking.id).order_by("-attempt").first()
    if latest is not None:
        usable = (
            latest.status in {StripeCheckout.Status.STARTING, StripeCheckout.Status.OPEN}
            and latest.revision == booking.revision and latest.expires_at > now + REUSE_MARGIN
            and latest.amount == amounts.online.value and latest.api_base == base
        )
        if usable:
            return latest
        if latest.status == StripeCheckout.Status.OPEN:
            _expire_quietly(latest)
        elif latest.status == StripeCheckout.Status.STARTING:  # never reached Stripe, or will not be used again
            StripeCheckout.objects.filter(pk=latest.pk, status=latest.status).update(
                status=StripeCheckout.Status.EXPIRED)
    number = latest.attempt + 1 if latest else 1
    try:
        with transaction.atomic():
            return StripeCheckout.objects.create(
                booking_id=booking.id, attempt=number, revision=booking.revision, amount=amounts.online.value,
                currency=amounts.online.currency, is_deposit=amounts.is_deposit, api_base=base,
                client_ip=limits.client_key(request, "ip"), client_session=limits.client_key(request, "session"),
                expires_at=(now + timedelta(minutes=settings.PAYMENTS_HOLD_MINUTES)).replace(microsecond=0),
            )
    except IntegrityError:
        return StripeCheckout.objects.get(booking_id=booking.id, attempt=number)


def _session_params(booking: Booking, service: Service, checkout: StripeCheckout, request: HttpRequest) -> dict:
    """The Checkout Session, from the booking alone, so that a repeat with the same idempotency key sends the same
    parameters (Stripe refuses a key reused with others)."""
    payment = service.payment
    unit = payment.deposit if checkout.is_deposit else (booking.price or payment.price)
    when = booking.start_date.astimezone(ZoneInfo(booking.slot.timezone))
    staff = f" with {booking.slot.resource.name}" if booking.slot.resource and booking.slot.resource.name else ""
    description = f"{dateformat.format(when, 'D j M Y, g:i A')} ({booking.slot.timezone}){staff}"
    if checkout.is_deposit:
        rest = pricing.for_booking(booking, service).at_visit
        description += f". Deposit; {rest.value} {rest.currency} is due at your visit"
    success = request.build_absolute_uri(reverse("payments:stripe_return"))
    metadata = {"booking_id": booking.id, "revision": str(checkout.revision), "attempt": str(checkout.attempt),
                "payment": "deposit" if checkout.is_deposit else "full"}
    return {
        "mode": "payment",
        "client_reference_id": booking.id,
        "customer_email": booking.contact_details.email or None,
        "line_items": [{
            "quantity": booking.total_participants,
            "price_data": {
                "currency": unit.currency.lower(),
                "unit_amount": stripe_api.to_minor_units(unit),
                "product_data": {"name": f"Deposit: {booking.title}" if checkout.is_deposit else booking.title,
                                 "description": description},
            },
        }],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": f"{booking.title}, {description}"},
        "expires_at": int(checkout.expires_at.timestamp()),
        # Stripe fills in {CHECKOUT_SESSION_ID}; the braces must reach it as they are.
        "success_url": success + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": request.build_absolute_uri(reverse("payments:booking_payment", args=[booking.id])),
    }


def _expire_quietly(checkout: StripeCheckout) -> None:
    """End a session the customer will not use any more, so that it cannot be paid as well (best effort)."""
    try:
        stripe_api.expire_checkout_session(checkout.api_base, checkout.session_id)
    except stripe_api.PaymentError:
        logger.warning("Could not expire checkout %s; a payment on it would be refunded", checkout.session_id)
    StripeCheckout.objects.filter(pk=checkout.pk, status=StripeCheckout.Status.OPEN).update(
        status=StripeCheckout.Status.EXPIRED)


def abandon_checkout(booking_id: str) -> None:
    """The customer gives up paying (to choose another time): end open sessions and release the hold now."""
    for checkout in StripeCheckout.objects.filter(booking_id=booking_id, status=StripeCheckout.Status.OPEN):
        _expire_quietly(checkout)
    StripeCheckout.objects.filter(booking_id=booking_id, status=StripeCheckout.Status.STARTING).update(
        status=StripeCheckout.Status.EXPIRED)
    get_backend().release_hold(booking_id)


# ---- what Stripe tells us ----------------------------------------------------------------------------------------


def checkout_for(session: dict) -> StripeCheckout | None:
    """Our row for a Checkout Session: by its id, or, should the webhook beat the row's update, by the booking and
    attempt in its metadata."""
    checkout = StripeCheckout.objects.filter(session_id=session.get("id")).first()
    if checkout is not None:
        return checkout
    metadata = session.get("metadata") or {}
    booking_id, attempt = metadata.get("booking_id"), metadata.get("attempt", "")
    if not booking_id or not attempt.isdigit():
        return None
    checkout = StripeCheckout.objects.filter(booking_id=booking_id, attempt=int(attempt)).first()
    if checkout is not None and not checkout.session_id:
        StripeCheckout.objects.filter(pk=checkout.pk, session_id__isnull=True).update(session_id=session["id"])
        checkout.refresh_from_db()
    return checkout if checkout is not None and checkout.session_id == session.get("id") else None


def _note(checkout: StripeCheckout, session: dict, status: str | None = None) -> None:
    """Copy what the session says onto our row, moving its status forward only."""
    status = status or session.get("status") or checkout.status
    if RANK.get(status, 0) > RANK.get(checkout.status, 0):
        checkout.status = status
    if session.get("payment_status") and checkout.payment_status not in PAID:
        checkout.payment_status = session["payment_status"]
    if session.get("payment_intent"):
        checkout.payment_intent = session["payment_intent"]


class CheckoutBusy(BookingsError):
    """Another request (the webhook or the return page) is settling this booking's payment right now."""

    http_status = 409
    code = "CHECKOUT_BUSY"
    default_message = "This payment is being recorded; try again in a moment."


def fulfil_session(session: dict) -> str:
    """Settle the booking of a paid session (from the webhook or the return page); a no-op the second time.
    Returns what happened, for the event log.

    The bookings port is called outside any transaction (on a Wix site it is a remote call; on SQLite the Wix sandbox
    needs the database's write lock meanwhile): a short transaction claims the checkout, the port settles the
    booking, a second short one records the outcome. A failed port call gives the claim back, so a retry (Stripe's,
    or the return page) settles it later. One booking is settled by one caller at a time (CheckoutBusy otherwise)."""
    checkout = checkout_for(session)
    if checkout is None:
        return "not one of our checkouts"
    claim = timezone.now()
    with transaction.atomic():
        # Every checkout of the booking, locked in one order: two paid sessions of one booking settle one by one.
        rows = {row.pk: row for row in StripeCheckout.objects.select_for_update().filter(
            booking_id=checkout.booking_id).order_by("pk")}
        checkout = rows[checkout.pk]
        _note(checkout, session)
        if session.get("payment_status") not in PAID:
            checkout.save()
            return "waiting for the payment to clear"
        if checkout.fulfilled_at is not None:
            checkout.save()
            return "already settled"
        if mismatch := _amount_mismatch(checkout, session):
            # Not what this checkout was to charge: the booking stays as it is, and staff see why in the admin.
            checkout.fulfilled_at = timezone.now()
            checkout.outcome = mismatch[:300]
            checkout.save()
            logger.error("Checkout %s of booking %s not settled: %s", checkout.session_id, checkout.booking_id,
                         mismatch)
            return mismatch
        if any(row.settling_since and row.settling_since > claim - SETTLING_CLAIM for row in rows.values()):
            checkout.save()
            raise CheckoutBusy()
        checkout.settling_since = claim
        checkout.save()
    try:
        outcome, refund_reason = _settle(checkout)
    except BaseException:
        StripeCheckout.objects.filter(pk=checkout.pk, settling_since=claim).update(settling_since=None)
        raise
    with transaction.atomic():
        StripeCheckout.objects.filter(pk=checkout.pk).update(
            settling_since=None, fulfilled_at=timezone.now(), paid_booking=refund_reason is None,
            outcome=outcome[:300])
        checkout.refresh_from_db()
        if refund_reason:
            request_refund(checkout, reason=refund_reason)  # sent to Stripe once this commits
    logger.info("Checkout %s paid: %s", checkout.session_id, outcome)
    return outcome


def _amount_mismatch(checkout: StripeCheckout, session: dict) -> str | None:
    """What is wrong when the session's total and currency are not what the checkout was created to charge (its
    amount, for all participants, at the booking's revision then); None when they match."""
    expected = stripe_api.to_minor_units(Money(checkout.amount, checkout.currency))
    amount, currency = session.get("amount_total"), str(session.get("currency") or "")
    if isinstance(amount, int) and not isinstance(amount, bool) and amount == expected \
            and currency.upper() == checkout.currency.upper():
        return None
    return (f"amount mismatch: paid {amount} {currency.upper() or '?'} (minor units), expected {expected} "
            f"{checkout.currency.upper()}; not confirmed")


def _settle(checkout: StripeCheckout) -> tuple[str, str | None]:
    """Confirm Or Decline the booking with its new payment status: (what happened, refund reason or None)."""
    backend = get_backend()
    paid = PaymentStatus.PARTIALLY_PAID if checkout.is_deposit else PaymentStatus.PAID
    reason = f"Stripe checkout {checkout.session_id}"
    booking = read_booking(checkout.booking_id)
    if booking is None:
        return "the booking no longer exists", "the booking no longer exists"
    others = StripeCheckout.objects.filter(booking_id=checkout.booking_id, paid_booking=True).exclude(pk=checkout.pk)
    if others.exists():
        return "a second payment for a paid booking", "duplicate"
    if booking.status == BookingStatus.CREATED and (order := wix_orders.order_row(booking.id)) is not None:
        # The booking's Wix order waits for this payment: recorded there, Wix confirms the booking with its order.
        booking = wix_orders.record_stripe_payment(checkout)
        wix_follow.seen(booking, order)  # the customer is told as when we confirm a booking ourselves
        if booking.status == BookingStatus.DECLINED:
            return "declined by Wix with its order", "declined by Wix"
        return f"recorded on its Wix order: {booking.status} {booking.payment_status}", None
    if booking.status == BookingStatus.CREATED:
        if settings.PAYMENTS_REFUND_LATE_PAYMENTS and not _time_still_free(booking):
            # The setting's alternative to Wix's rule: no double booking; the customer gets the money back.
            booking = backend.confirm_or_decline_booking(booking.id, payment_status=PaymentStatus.NOT_PAID)
            if booking.status == BookingStatus.DECLINED:
                return "declined: paid after the time was taken", "paid after the time was taken"
            booking = backend.update_payment_status(booking.id, payment_status=paid, reason=reason)
        else:
            booking = backend.confirm_or_decline_booking(booking.id, payment_status=paid)
        if booking.double_booked:
            logger.warning("Booking %s was paid after its time was taken: confirmed as double-booked", booking.id)
        flag = " (double-booked)" if booking.double_booked else ""
        return f"confirmed: {booking.status} {booking.payment_status}{flag}", None
    if booking.status in {BookingStatus.CONFIRMED, BookingStatus.PENDING}:
        if booking.payment_status in {PaymentStatus.UNDEFINED, PaymentStatus.NOT_PAID}:
            backend.update_payment_status(booking.id, payment_status=paid, reason=reason)
            return f"confirmed: payment recorded on a {booking.status} booking", None
        return f"a payment for a booking already {booking.payment_status}", "duplicate"
    return f"the booking was {booking.status.lower()} before the payment arrived", f"booking {booking.status.lower()}"


def _time_still_free(booking: Booking) -> bool:
    """Whether the booking still has its time: its hold runs, or a short new hold can be taken."""
    try:
        get_backend().hold_booking(booking.id, expires_at=timezone.now() + timedelta(minutes=2))
    except SlotNotAvailable:
        return False
    return True


def end_session(session: dict, *, status: str) -> str:
    """A session expired or its payment failed: release the booking's hold, unless the booking is paid or a newer
    checkout of it is running. The booking stays CREATED; the customer can try again. The port's release is called
    after the row's transaction (see fulfil_session)."""
    checkout = checkout_for(session)
    if checkout is None:
        return "not one of our checkouts"
    with transaction.atomic():
        checkout = StripeCheckout.objects.select_for_update().get(pk=checkout.pk)
        _note(checkout, session, status=status)
        checkout.save()
        if checkout.fulfilled_at is not None or checkout.settling_since is not None:
            return "already paid; nothing to release"
        running = StripeCheckout.objects.filter(
            booking_id=checkout.booking_id, status__in=[StripeCheckout.Status.STARTING, StripeCheckout.Status.OPEN],
            expires_at__gt=timezone.now(),
        ).exclude(pk=checkout.pk)
        if running.exists():
            return "a newer checkout holds the time"
    get_backend().release_hold(checkout.booking_id)
    return f"{status}: hold released"
