"""The sandbox's hosted checkout page: what Stripe's page would show, and three buttons. Pay and Decline complete
the session and send its signed webhooks before returning the customer to the success URL, as Stripe does;
Abandon goes back to the cancel URL and leaves the session open until it expires."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from payments import stripe_api

from . import state

ACTIONS = ("pay", "decline", "abandon")


def _session_or_404(session_id: str) -> dict:
    if not stripe_api.sandbox_on():
        raise Http404("The Stripe sandbox is off.")
    session = state.expire_if_lapsed(session_id)
    if session is None:
        raise Http404("No such checkout session.")
    return session


def _page(request: HttpRequest, session: dict, *, message: str = "", status: int = 200) -> HttpResponse:
    currency = session["currency"].upper()
    items = [
        {"name": item["price_data"]["product_data"]["name"],
         "description": item["price_data"]["product_data"].get("description", ""),
         "quantity": int(item["quantity"]),
         "unit": stripe_api.from_minor_units(int(item["price_data"]["unit_amount"]), currency),
         "amount": stripe_api.from_minor_units(int(item["price_data"]["unit_amount"]) * int(item["quantity"]),
                                               currency)}
        for item in session["_line_items"]
    ]
    context = {
        "session": session, "items": items, "currency": currency, "message": message,
        "total": stripe_api.from_minor_units(session["amount_total"], currency),
        "minutes_left": max(0, (session["expires_at"] - state.now()) // 60),
        "secret_hint": stripe_api.describe_key(stripe_api.webhook_secret()),
        "success_url": _success_url(session),
    }
    return render(request, "stripe_sandbox/checkout.html", context, status=status)


def _success_url(session: dict) -> str:
    return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])


@require_GET
def checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    return _page(request, _session_or_404(session_id))


@require_POST
def checkout_action(request: HttpRequest, session_id: str) -> HttpResponse:
    session = _session_or_404(session_id)
    action = request.POST.get("action")
    if action not in ACTIONS:
        return _page(request, session, message="Choose Pay, Decline or Abandon.", status=400)
    if action == "abandon":
        return HttpResponseRedirect(session.get("cancel_url") or request.path)
    if session["status"] == "complete":
        # A second click, or a page from before: the session is settled; carry on to where Stripe would send you.
        return HttpResponseRedirect(_success_url(session))
    if session["status"] != "open":
        return _page(request, session, message="This checkout session has expired; nothing was charged.",
                     status=409)
    session = state.pay(session_id) if action == "pay" else state.decline(session_id)
    return HttpResponseRedirect(_success_url(session))
