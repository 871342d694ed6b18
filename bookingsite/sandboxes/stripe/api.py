"""The sandbox's Stripe API: form-encoded requests in, Stripe's JSON and error shapes out, Bearer-key
authentication, and Idempotency-Key honoured (the same key and parameters replay the first answer; the same key
with other parameters is an idempotency_error, as at Stripe).

    POST /v1/checkout/sessions              GET /v1/checkout/sessions/:id      POST /v1/checkout/sessions/:id/expire
    POST /v1/refunds                        GET /v1/refunds/:id
"""

import functools
import hashlib
import hmac
import re
from urllib.parse import parse_qsl

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from payments import stripe_api

from . import state
from .models import SandboxIdempotencyKey

MIN_LIFETIME, MAX_LIFETIME = 30 * 60, 24 * 60 * 60  # Stripe's bounds for a session's expires_at
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None, param: str | None = None,
                 kind: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.kind = status, message, code, param, kind

    def response(self) -> JsonResponse:
        error = {"type": self.kind, "message": self.message}
        error.update({k: v for k, v in {"code": self.code, "param": self.param}.items() if v})
        return JsonResponse({"error": error}, status=self.status)


def missing(kind: str, object_id: str, param: str = "id") -> ApiError:
    return ApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def decode_form(body: str) -> dict:
    """Stripe's form encoding back into nested data: `line_items[0][price_data][currency]=usd`."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *re.findall(r"\[([^\]]*)\]", key[len(head):])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ApiError(400, f"Invalid parameter: {key}", param=key)
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def endpoint(*methods: str):
    """A sandbox API view: 404 unless the sandbox is on, the method allowed, the sandbox key presented, errors as
    Stripe's JSON."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                if not stripe_api.sandbox_on():
                    raise ApiError(404, "The Stripe sandbox is off (a STRIPE_SECRET_KEY is set).")
                if request.method not in methods:
                    raise ApiError(405, f"Unrecognized request URL ({request.method}: {request.path}).")
                given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                if not hmac.compare_digest(given.encode(), stripe_api.SANDBOX_API_KEY.encode()):
                    raise ApiError(401, f"Invalid API Key provided: {stripe_api.describe_key(given)}")
                if request.method == "POST":
                    return _idempotent(request, lambda: view(request, *args, **kwargs))
                return view(request, *args, **kwargs)
            except ApiError as error:
                return error.response()

        return wrapper

    return wrap


def _idempotent(request: HttpRequest, run) -> HttpResponse:
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        return run()
    fingerprint = hashlib.sha256(b"%s %s\n%s" % (request.method.encode(), request.path.encode(), request.body))
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Claiming the key first makes a concurrent repeat wait for this request, then replay its answer.
                claim = SandboxIdempotencyKey.objects.create(key=key[:255], fingerprint=fingerprint.hexdigest(),
                                                             status_code=0, body="")
        except IntegrityError:
            claim = None
        if claim is None:
            first = SandboxIdempotencyKey.objects.get(key=key[:255])
            if first.fingerprint != fingerprint.hexdigest():
                raise ApiError(400, "Keys for idempotent requests can only be used with the same parameters they "
                                    "were first used with.", kind="idempotency_error")
            replay = HttpResponse(first.body, status=first.status_code, content_type="application/json")
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = run()
        except ApiError:
            transaction.set_rollback(True)  # a refused request is not stored (nor is anything it did)
            raise
        claim.status_code, claim.body = response.status_code, response.content.decode()
        claim.save(update_fields=["status_code", "body"])
    return response


def _json(obj: dict) -> JsonResponse:
    return JsonResponse(state.public(obj))


def _int(value, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid integer: {value}", param=param) from None


# ---- checkout sessions -------------------------------------------------------------------------------------------


@endpoint("POST")
def sessions(request: HttpRequest) -> JsonResponse:
    params = decode_form(request.body.decode(errors="replace"))
    if params.get("mode") != "payment":
        raise ApiError(400, "The sandbox supports mode=payment only.", param="mode")
    success_url = params.get("success_url", "")
    if not re.match(r"https?://", success_url):
        raise ApiError(400, "Not a valid URL", param="success_url")
    items = params.get("line_items")
    if not isinstance(items, list) or not items:
        raise ApiError(400, "Missing required param: line_items.", code="parameter_missing", param="line_items")
    total, currencies = 0, set()
    for n, item in enumerate(items):
        price = item.get("price_data") if isinstance(item, dict) else None
        if not isinstance(price, dict) or not (price.get("product_data") or {}).get("name"):
            raise ApiError(400, "Each line item needs price_data with product_data.name.",
                           param=f"line_items[{n}][price_data]")
        quantity = _int(item.get("quantity"), f"line_items[{n}][quantity]")
        unit = _int(price.get("unit_amount"), f"line_items[{n}][price_data][unit_amount]")
        if quantity < 1 or unit < 1:
            raise ApiError(400, "Amounts and quantities must be positive.", param=f"line_items[{n}]")
        total += quantity * unit
        currencies.add(str(price.get("currency", "")).lower())
    if len(currencies) != 1 or not re.fullmatch(r"[a-z]{3}", next(iter(currencies))):
        raise ApiError(400, "All line items need the same three-letter currency.", param="line_items")
    created = state.now()
    expires_at = _int(params.get("expires_at", created + MAX_LIFETIME), "expires_at")
    if not created + MIN_LIFETIME <= expires_at <= created + MAX_LIFETIME:
        raise ApiError(400, "The Checkout Session's expires_at must be between 30 minutes and 24 hours from now.",
                       param="expires_at")
    session_id = state.new_id("cs")
    session = state.save({
        "id": session_id, "object": "checkout.session", "mode": "payment", "status": "open",
        "payment_status": "unpaid", "amount_subtotal": total, "amount_total": total,
        "currency": next(iter(currencies)), "client_reference_id": params.get("client_reference_id"),
        "customer_email": params.get("customer_email"), "metadata": params.get("metadata") or {},
        "success_url": success_url, "cancel_url": params.get("cancel_url"), "expires_at": expires_at,
        "created": created, "livemode": False, "payment_intent": None,
        "url": request.build_absolute_uri(reverse("stripe_sandbox:checkout", args=[session_id])),
        "_line_items": items,
        "_payment_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
        "_webhook_url": request.build_absolute_uri(reverse("payments:stripe_webhook")),
    })
    return _json(session)


@endpoint("GET")
def session_detail(request: HttpRequest, session_id: str) -> JsonResponse:
    session = state.expire_if_lapsed(session_id)
    if session is None:
        raise missing("checkout.session", session_id)
    return _json(session)


@endpoint("POST")
def session_expire(request: HttpRequest, session_id: str) -> JsonResponse:
    try:
        session = state.expire(session_id)
    except ValueError as error:
        raise ApiError(400, str(error), code="checkout_session_not_open") from None
    if session is None:
        raise missing("checkout.session", session_id)
    return _json(session)


# ---- refunds -----------------------------------------------------------------------------------------------------


@endpoint("POST")
def refunds(request: HttpRequest) -> JsonResponse:
    params = decode_form(request.body.decode(errors="replace"))
    intent_id, charge_id = params.get("payment_intent"), params.get("charge")
    if intent_id:
        intent = state.get(intent_id, "payment_intent")
        if intent is None:
            raise missing("payment_intent", intent_id, "payment_intent")
        charge_id = intent.get("latest_charge")
        if not charge_id:
            raise ApiError(400, "This PaymentIntent has no successful charge to refund.",
                           code="charge_not_refundable", param="payment_intent")
    elif not charge_id:
        raise ApiError(400, "One of payment_intent or charge is required.", code="parameter_missing")
    reason = params.get("reason")
    if reason is not None and reason not in REFUND_REASONS:
        raise ApiError(400, f"Invalid reason: {reason}", param="reason")
    amount = _int(params["amount"], "amount") if "amount" in params else None
    with transaction.atomic():
        if state.get(charge_id, "charge") is None:
            raise missing("charge", charge_id, "charge")
        try:
            refund = state.refund(charge_id=charge_id, intent_id=intent_id, amount=amount, reason=reason,
                                  metadata=params.get("metadata") or {})
        except ValueError as error:
            message = {"charge_already_refunded": "This charge has already been refunded."}.get(
                str(error), "The refund amount is more than what is left to refund.")
            raise ApiError(400, message, code=str(error), param="amount") from None
    return _json(refund)


@endpoint("GET")
def refund_detail(request: HttpRequest, refund_id: str) -> JsonResponse:
    refund = state.get(refund_id, "refund")
    if refund is None:
        raise missing("refund", refund_id)
    return _json(refund)


@csrf_exempt
def unknown(request: HttpRequest, rest: str) -> JsonResponse:
    return ApiError(404, f"Unrecognized request URL ({request.method}: {request.path}). The Stripe sandbox "
                            f"serves only the endpoints this site uses.").response()

