"""The one HTTP client for Wix's REST APIs: a pooled `requests.Session`, a timeout on every call, retries with
backoff for calls that may be repeated, Wix's errors as the port's errors, and the two identities of auth.py.

Rules:
- Only calls marked `idempotent` (GETs and read POSTs: queries, time-slot lists) are retried, on 429, 5xx and
  network failures. A write (Create Booking above all) is sent once: a retried create could book twice.
- A 401 on a visitor call renews the visitor's token once (refresh token, so the visitor stays the same) and
  repeats the call once, whatever the method: the first attempt was refused before Wix did anything.
- Nothing logged or raised holds a credential: paths with a token in them are logged from a template, network
  errors are re-raised without their cause (whose text holds the URL).
"""

import contextlib
import logging
import time

import requests
from django.conf import settings

from booking.errors import BookingsError, NotFound, PermissionDenied, Unavailable

from . import auth
from .auth import Identity
from .errors import RETRYABLE_STATUSES, from_response

logger = logging.getLogger("booking.wix")

CONNECT_TIMEOUT_SECONDS = 3.05
MAX_RETRY_AFTER_SECONDS = 5.0


def path_id(value, message: str, *, code: str | None = None) -> str:
    """An id as one segment of a Wix path. An empty one, or one that would reach another path, names nothing."""
    text = str(value or "")
    if not text or "/" in text:
        raise NotFound(message, code=code)
    return text


class WixClient:
    def __init__(self, *, base: str, client_id: str, api_key: str, site_id: str, read_timeout: float = 10.0,
                 retries: int = 2, backoff: float = 0.2):
        self.base = base.rstrip("/")
        self.client_id = client_id
        self._api_key = api_key
        self.site_id = site_id
        self.timeout = (CONNECT_TIMEOUT_SECONDS, read_timeout)
        self.retries = retries
        self.backoff = backoff
        self.http = requests.Session()  # one pool of keep-alive connections for every call of this process
        self.http.headers.update({"Accept": "application/json", "User-Agent": "bookingsite-wix/1"})

    def __repr__(self) -> str:
        return f"WixClient({self.base}, api key {auth.describe_secret(self._api_key)})"

    @classmethod
    def from_settings(cls) -> "WixClient":
        return cls(base=settings.WIX_API_BASE, client_id=settings.WIX_CLIENT_ID, api_key=settings.WIX_API_KEY,
                   site_id=settings.WIX_SITE_ID, read_timeout=settings.WIX_TIMEOUT_SECONDS,
                   retries=settings.WIX_RETRIES, backoff=settings.WIX_RETRY_BACKOFF_SECONDS)

    # ---- calls ------------------------------------------------------------------------------------------------

    def get(self, path: str, *, params: dict | None = None, identity: Identity = Identity.VISITOR,
            log_path: str | None = None) -> dict:
        return self.call("GET", path, params=params, identity=identity, idempotent=True, log_path=log_path)

    def read(self, path: str, body: dict, *, identity: Identity = Identity.VISITOR) -> dict:
        """A POST that only reads (queries, time slots): safe to retry."""
        return self.call("POST", path, json=body, identity=identity, idempotent=True)

    def write(self, path: str, body: dict, *, identity: Identity = Identity.VISITOR,
              log_path: str | None = None) -> dict:
        """A POST that changes something: sent once, never retried after Wix may have acted on it."""
        return self.call("POST", path, json=body, identity=identity, idempotent=False, log_path=log_path)

    def call(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None,
             identity: Identity, idempotent: bool, log_path: str | None = None) -> dict:
        log_path = log_path or path
        session = auth.current_session() if identity is Identity.VISITOR else None
        if identity is Identity.VISITOR and session is None:
            identity = Identity.APP  # no customer here (a command, a task): the app acts
        refreshed = False
        attempt = 0
        while True:
            headers = self._headers(identity, session)
            try:
                response = self.http.request(method, self.base + path, json=json, params=params, headers=headers,
                                             timeout=self.timeout)
            except requests.RequestException as exc:
                kind = type(exc).__name__
                if idempotent and attempt < self.retries:
                    logger.warning("Wix %s %s failed (%s); retrying", method, log_path, kind)
                    self._sleep(attempt, None)
                    attempt += 1
                    continue
                logger.error("Wix %s %s failed (%s)", method, log_path, kind)
                raise Unavailable(code="WIX_UNREACHABLE") from None
            status = response.status_code
            logger.info("Wix %s %s -> %s", method, log_path, status)
            if status == 401 and identity is Identity.VISITOR and not refreshed:
                refreshed = True
                self.renew_visitor(session)
                continue
            if status in RETRYABLE_STATUSES and idempotent and attempt < self.retries:
                self._sleep(attempt, response.headers.get("Retry-After"))
                attempt += 1
                continue
            body = _json(response)
            if status >= 400:
                raise from_response(status, body)
            return body if isinstance(body, dict) else {}

    # ---- identities -------------------------------------------------------------------------------------------

    def _headers(self, identity: Identity, session) -> dict:
        if identity is Identity.NONE:
            return {}
        if identity is Identity.APP:
            if not self._api_key or not self.site_id:
                raise PermissionDenied("The Wix API key or site id is not set.", code="WIX_NOT_CONFIGURED")
            return {"Authorization": self._api_key, "wix-site-id": self.site_id}
        tokens = auth.stored_tokens(session)
        if tokens is None:
            tokens = self._mint_visitor(session)
        elif not auth.fresh(tokens):
            tokens = self.renew_visitor(session)
        return {"Authorization": tokens["access_token"]}

    def _token_call(self, body: dict) -> dict:
        if not self.client_id:
            raise PermissionDenied("The Wix client id is not set.", code="WIX_NOT_CONFIGURED")
        answer = self.call("POST", "/oauth2/token", json={"clientId": self.client_id, **body},
                           identity=Identity.NONE, idempotent=True)
        if not answer.get("access_token"):
            raise Unavailable(code="WIX_TOKEN_MISSING")
        return answer

    def _mint_visitor(self, session) -> dict:
        tokens = auth.store_tokens(session, self._token_call({"grantType": "anonymous"}))
        logger.info("Wix visitor token minted (%s)", auth.describe_secret(tokens["access_token"]))
        return tokens

    def renew_visitor(self, session) -> dict:
        """New access token for the same visitor; a refresh token Wix no longer accepts starts a new visitor."""
        tokens = auth.stored_tokens(session)
        if not tokens or not tokens.get("refresh_token"):
            return self._mint_visitor(session)
        try:
            answer = self._token_call({"grantType": "refresh_token", "refreshToken": tokens["refresh_token"]})
        except BookingsError as error:
            if error.http_status >= 500:
                raise
            logger.info("Wix refused the visitor's refresh token (%s); starting a new visitor", error.code)
            return self._mint_visitor(session)
        return auth.store_tokens(session, answer)

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt)
        with contextlib.suppress(ValueError):
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER_SECONDS)) if retry_after else delay
        time.sleep(delay)


def _json(response: requests.Response):
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        return {}
