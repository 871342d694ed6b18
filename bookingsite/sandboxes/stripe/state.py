"""The sandbox's objects (Stripe's JSON shapes, in SandboxObject rows so that several server processes share them)
and its outgoing webhooks, signed the way Stripe signs them.

Keys starting with "_" are the sandbox's own notes (such as where to deliver webhooks) and are never sent out.
"""

import hashlib
import hmac
import json
import logging
import secrets
import string
import time

import requests
from django.db import transaction

from payments import stripe_api

from .models import SandboxObject

logger = logging.getLogger(__name__)

ALPHABET = string.ascii_letters + string.digits
DELIVERY_TIMEOUT_SECONDS = 15


def new_id(prefix: str) -> str:
    return f"{prefix}_test_" + "".join(secrets.choice(ALPHABET) for _ in range(24))


def now() -> int:
    return int(time.time())


def public(obj: dict) -> dict:
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def save(obj: dict) -> dict:
    SandboxObject.objects.update_or_create(id=obj["id"], defaults={"type": obj["object"], "data": obj})
    return obj


def get(object_id: str, kind: str, *, lock: bool = False) -> dict | None:
    rows = SandboxObject.objects.select_for_update() if lock else SandboxObject.objects
    row = rows.filter(id=object_id, type=kind).first()
    return row.data if row else None


# ---- webhooks ----------------------------------------------------------------------------------------------------


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint secret>."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def send_event(kind: str, obj: dict, url: str) -> int | None:
    """Make the event, store it, and POST it to the site's webhook; returns the HTTP status (None if unreachable).
    Stripe would retry a failed delivery; the sandbox records it, and the site's return page settles paid sessions
    anyway."""
    event = save({
        "id": new_id("evt"), "object": "event", "api_version": stripe_api.API_VERSION, "created": now(),
        "data": {"object": public(obj)}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": kind,
    })
    payload = json.dumps(public(event))
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+sandbox)",
               "Stripe-Signature": signature_header(payload, stripe_api.webhook_secret(), now())}
    try:
        response = requests.post(url, data=payload.encode(), headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS)
        status = response.status_code
    except requests.RequestException as error:
        logger.warning("Sandbox could not deliver %s to %s: %s", kind, url, type(error).__name__)
        status = None
    event["_delivery"] = {"url": url, "status": status, "at": now()}
    save(event)
    logger.info("Sandbox sent %s %s → %s", kind, event["id"], status)
    return status


def _send_after_commit(kind: str, obj: dict) -> None:
    """Deliver once the sandbox's change is committed (at once outside a transaction): the site's webhook handler
    must be able to write, and must see what the event describes."""
    snapshot = dict(obj)
    transaction.on_commit(lambda: send_event(kind, snapshot, snapshot["_webhook_url"]))


# ---- checkout sessions -------------------------------------------------------------------------------------------


def expire_if_lapsed(session_id: str) -> dict | None:
    """Stripe expires an open session at its expires_at and sends checkout.session.expired; the sandbox has no
    clock of its own, so it does that when the session is next looked at (or by `manage.py stripe_sandbox_expire`)."""
    with transaction.atomic():
        session = get(session_id, "checkout.session", lock=True)
        if session is not None and session["status"] == "open" and session["expires_at"] <= now():
            session.update(status="expired", url=None)
            _send_after_commit("checkout.session.expired", save(session))
    return session


def expire(session_id: str) -> dict | None:
    """POST /v1/checkout/sessions/:id/expire: None if the session is unknown, ValueError unless it is open."""
    with transaction.atomic():
        session = get(session_id, "checkout.session", lock=True)
        if session is None:
            return None
        if session["status"] != "open":
            raise ValueError(f"Only Checkout Sessions with a status of open can be expired; this one is "
                             f"{session['status']}.")
        session.update(status="expired", url=None)
        _send_after_commit("checkout.session.expired", save(session))
    return session


def pay(session_id: str) -> dict:
    """The customer pays by card: the session completes, paid, with a payment intent and a charge."""
    with transaction.atomic():
        session = get(session_id, "checkout.session", lock=True)
        if session["status"] != "open":
            return session
        intent_id, charge_id = new_id("pi"), new_id("ch")
        metadata = session.get("_payment_intent_metadata", {})
        amount, currency = session["amount_total"], session["currency"]
        save({"id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
              "amount_refunded": 0, "currency": currency, "captured": True, "paid": True, "refunded": False,
              "status": "succeeded", "payment_intent": intent_id, "metadata": metadata, "created": now(),
              "livemode": False, "_webhook_url": session["_webhook_url"]})
        save({"id": intent_id, "object": "payment_intent", "amount": amount, "amount_received": amount,
              "currency": currency, "status": "succeeded", "latest_charge": charge_id, "metadata": metadata,
              "created": now(), "livemode": False})
        session.update(status="complete", payment_status="paid", payment_intent=intent_id, url=None)
        _send_after_commit("checkout.session.completed", save(session))
    return session


def decline(session_id: str) -> dict:
    """A delayed payment (a bank debit) that the bank later refuses: the session completes unpaid, then the
    payment fails, as Stripe reports it with checkout.session.async_payment_failed."""
    with transaction.atomic():
        session = get(session_id, "checkout.session", lock=True)
        if session["status"] != "open":
            return session
        intent_id = new_id("pi")
        save({"id": intent_id, "object": "payment_intent", "amount": session["amount_total"],
              "currency": session["currency"], "status": "requires_payment_method", "latest_charge": None,
              "metadata": session.get("_payment_intent_metadata", {}), "created": now(), "livemode": False})
        session.update(status="complete", payment_status="unpaid", payment_intent=intent_id, url=None)
        _send_after_commit("checkout.session.completed", save(session))
        _send_after_commit("checkout.session.async_payment_failed", session)
    return session


def refund(*, charge_id: str, intent_id: str, amount: int | None, reason: str | None, metadata: dict) -> dict:
    """Refund (part of) a charge; charge.refunded is sent once the caller's transaction commits."""
    charge = get(charge_id, "charge", lock=True)
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise ValueError("charge_already_refunded")
    amount = remaining if amount is None else amount
    if not 0 < amount <= remaining:
        raise ValueError("amount_too_large")
    created = save({"id": new_id("re"), "object": "refund", "amount": amount, "currency": charge["currency"],
                    "charge": charge_id, "payment_intent": intent_id, "reason": reason, "metadata": metadata,
                    "status": "succeeded", "created": now()})
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    save(charge)
    _send_after_commit("charge.refunded", charge)
    return created
