"""A cache that lives for one request, so that a page reading the same catalog row twice queries it once.

The catalog does not change while a request runs; nothing is kept between requests, so nothing goes stale across
processes. Outside a request (management commands, tests calling the engine) an engine read marked `@per_call`
shares one cache for the length of that call.
"""

import functools
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

_cache: ContextVar[dict | None] = ContextVar("bookings_request_cache", default=None)


def memo[T](key: tuple, compute: Callable[[], T]) -> T:
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def remember(key: tuple, value) -> None:
    cache = _cache.get()
    if cache is not None:
        cache[key] = value


def forget(key: tuple) -> None:
    cache = _cache.get()
    if cache is not None:
        cache.pop(key, None)


@contextmanager
def _scope():
    """A cache of its own for what runs inside, unless an outer scope already provides one."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def per_call(method):
    """Run an engine read with a cache of its own when no request provides one, so that one call reads the
    business and the service once however many helpers ask for them."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _scope():
            return method(*args, **kwargs)

    return wrapper


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with _scope():
            return self.get_response(request)
