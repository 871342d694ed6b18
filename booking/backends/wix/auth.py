"""Who a Wix call is made as (wix-api.md §1.1, §1.2).

- A customer's calls run as an anonymous Wix visitor. Its OAuth tokens (from `WIX_CLIENT_ID`, grant `anonymous`)
  live in the browser's Django session, server side, and are renewed with the refresh token, so the customer stays
  the same visitor to Wix for as long as the session lasts. `VisitorSessionMiddleware` binds the current request's
  session to the client through a context variable.
- Calls that need an app identity (confirm, decline, anonymous action tokens, other visitors' bookings, site
  properties) send `WIX_API_KEY` with `wix-site-id: WIX_SITE_ID`. Outside a request (commands, tasks) every call
  runs that way, as there is no visitor.

No token or key is ever logged: `describe_secret` gives its length and last four characters.
"""

import enum
import time
from contextlib import contextmanager
from contextvars import ContextVar

SESSION_KEY = "wix_visitor_tokens"
# Renew a little before Wix says the token expires, so a call does not start with a token about to lapse.
EXPIRY_MARGIN_SECONDS = 60

_session: ContextVar[object | None] = ContextVar("wix_visitor_session", default=None)


class Identity(enum.Enum):
    VISITOR = "visitor"  # the customer's visitor token (the app identity outside a request)
    APP = "app"  # API key + site id
    NONE = "none"  # no Authorization header (the anonymous-booking token calls)


def describe_secret(value: str | None) -> str:
    """A credential as it may appear in a log line: `…1234 (40 chars)`."""
    if not value:
        return "none"
    return f"…{value[-4:]} ({len(value)} chars)" if len(value) >= 12 else f"({len(value)} chars)"


def current_session():
    return _session.get()


@contextmanager
def bound_session(session):
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


class VisitorSessionMiddleware:
    """Lets the Wix client keep the customer's visitor tokens in this request's session. Nothing is read or
    written unless a Wix call is made, so in local mode sessions are untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        with bound_session(session):
            return self.get_response(request)


def stored_tokens(session) -> dict | None:
    tokens = session.get(SESSION_KEY) if session is not None else None
    return tokens if isinstance(tokens, dict) and tokens.get("access_token") else None


def store_tokens(session, answer: dict) -> dict:
    """Keep Wix's token answer in the session; the refresh token is kept when a refresh does not send a new one."""
    previous = stored_tokens(session) or {}
    tokens = {
        "access_token": str(answer["access_token"]),
        "refresh_token": str(answer.get("refresh_token") or previous.get("refresh_token") or ""),
        "expires_at": time.time() + int(answer.get("expires_in") or 0),
    }
    session[SESSION_KEY] = tokens
    return tokens


def fresh(tokens: dict) -> bool:
    return float(tokens.get("expires_at", 0)) - EXPIRY_MARGIN_SECONDS > time.time()
