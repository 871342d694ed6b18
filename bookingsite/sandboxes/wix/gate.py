"""Who is calling the sandbox, as Wix decides it (wix-api.md §1), and Wix's error shape for what goes wrong.

- `Authorization: <WIX_API_KEY>` with `wix-site-id: <WIX_SITE_ID>`: the app identity (a staff caller).
- `Authorization: <visitor access token>`: an anonymous visitor (a customer caller); expired or unknown → 401.
- A visitor token on an app-identity call → 403; a key without the right site id → 403.
"""

import functools
import hmac
import json
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from booking.errors import BookingsError, InvalidArgument
from booking.port import Caller

from . import recorder
from .models import VisitorToken, digest


def wix_error(status: int, message: str, code: str = "", data: dict | None = None,
              field_violations: dict | None = None) -> JsonResponse:
    if field_violations:
        details = {"validationError": {"fieldViolations": [
            {"field": field, "description": text, "violatedRule": "OTHER"} for field, text in field_violations.items()
        ]}}
    else:
        details = {"applicationError": {"code": code, "description": message, "data": data or {}}}
    return JsonResponse({"message": message, "details": details}, status=status)


def error_response(error: BookingsError) -> JsonResponse:
    violations = error.field_violations if isinstance(error, InvalidArgument) else None
    return wix_error(error.http_status, error.message, error.code, error.data, violations)


class Call:
    """One sandbox request: its JSON body and who made it."""

    def __init__(self, request, body: dict, caller: Caller, visitor_id):
        self.request, self.body, self.caller, self.visitor_id = request, body, caller, visitor_id


def _is_app(request) -> bool:
    key = request.headers.get("Authorization", "")
    return bool(settings.WIX_API_KEY) and hmac.compare_digest(key.encode(), settings.WIX_API_KEY.encode())


def _visitor(request):
    """(visitor id, None) for a live visitor token, else (None, the 401 to answer)."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token:
        return None, wix_error(401, "Missing authorization.", "UNAUTHENTICATED")
    row = VisitorToken.objects.filter(digest=digest(token), kind=VisitorToken.Kind.ACCESS).first()
    if row is None:
        return None, wix_error(401, "Unknown token.", "UNAUTHENTICATED")
    if row.expires_at is not None and row.expires_at <= timezone.now():
        return None, wix_error(401, "The access token has expired.", "TOKEN_EXPIRED")
    return row.visitor_id, None


def endpoint(identity: str, method: str = "POST"):
    """A sandbox view: `identity` is "app" (API key + site id only), "visitor" (a visitor or the app) or "none";
    `method` the one HTTP method Wix documents for it."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def handler(request, **kwargs):
            recorder.record({"method": request.method, "path": request.path,
                             "headers": {k.lower() for k in request.headers},
                             "authorization": "app" if _is_app(request) else
                             ("visitor" if request.headers.get("Authorization") else "none"),
                             "body": _body(request)})
            if request.method != method:
                return wix_error(405, f"Use {method}.", "METHOD_NOT_ALLOWED")
            fault = recorder.take_fault(request.path)
            if fault is not None:
                status, code, message = fault
                return wix_error(status, message, code)
            try:
                body = json.loads(request.body or b"{}") if request.method == "POST" else {}
            except ValueError:
                return wix_error(400, "The body is not JSON.", "INVALID_ARGUMENT")
            if not isinstance(body, dict):
                return wix_error(400, "The body must be an object.", "INVALID_ARGUMENT")
            caller, visitor_id = Caller.SYSTEM, None
            if identity != "none":
                if _is_app(request):
                    if request.headers.get("wix-site-id") != settings.WIX_SITE_ID:
                        return wix_error(403, "The API key needs the wix-site-id of its site.", "PERMISSION_DENIED")
                    caller = Caller.STAFF
                else:
                    visitor_id, refusal = _visitor(request)
                    if refusal is not None:
                        return refusal
                    if identity == "app":
                        return wix_error(403, "This method needs an app or Wix user identity.",
                                         "UNAUTHORIZED_OPERATION")
                    caller = Caller.CUSTOMER
            try:
                return view(Call(request, body, caller, visitor_id), **kwargs)
            except BookingsError as error:
                return error_response(error)
            except (KeyError, TypeError, ValueError) as exc:
                return wix_error(400, f"Malformed request: {type(exc).__name__}.", "INVALID_ARGUMENT")

        return handler

    return wrap


def _body(request):
    try:
        return json.loads(request.body) if request.body else None
    except ValueError:
        return None


# ---- OAuth ------------------------------------------------------------------------------------------------------


def _issue(kind: str, visitor_id, lifetime: timedelta | None) -> str:
    token = f"sbx-{kind[:1]}-" + secrets.token_urlsafe(32)
    VisitorToken.objects.create(digest=digest(token), kind=kind, visitor_id=visitor_id,
                                expires_at=timezone.now() + lifetime if lifetime is not None else None)
    return token


@endpoint("none")
def oauth_token(call: Call):
    """POST /oauth2/token: grant `anonymous` (a new visitor) or `refresh_token` (the same visitor again)."""
    body = call.body
    if body.get("clientId") != settings.WIX_CLIENT_ID or not settings.WIX_CLIENT_ID:
        return wix_error(400, "Unknown client id.", "INVALID_CLIENT")
    grant = body.get("grantType")
    if grant == "anonymous":
        visitor_id = uuid.uuid4()
        refresh = _issue(VisitorToken.Kind.REFRESH, visitor_id, None)
    elif grant == "refresh_token":
        row = VisitorToken.objects.filter(digest=digest(str(body.get("refreshToken", ""))),
                                          kind=VisitorToken.Kind.REFRESH).first()
        if row is None:
            return wix_error(400, "Unknown refresh token.", "INVALID_GRANT")
        visitor_id, refresh = row.visitor_id, str(body["refreshToken"])
    else:
        return wix_error(400, "Unsupported grant type.", "UNSUPPORTED_GRANT_TYPE")
    seconds = settings.WIX_SANDBOX_TOKEN_SECONDS
    access = _issue(VisitorToken.Kind.ACCESS, visitor_id, timedelta(seconds=seconds))
    return JsonResponse({"access_token": access, "refresh_token": refresh, "expires_in": seconds,
                         "token_type": "Bearer"})
