import os
import shutil

import pytest
import time_machine

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told it is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if "browser" in item.keywords]
    if not browser_tests or (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        return
    reason = f"no Chromium at {CHROMIUM} (make test installs Debian's chromium with apt where it can)"
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"Browser tests cannot be skipped under CI=true: {reason}.")
    print(f"\n!!! SKIPPING {len(browser_tests)} BROWSER TESTS: {reason} !!!\n")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def _urlconf_of_the_test_settings():
    """The URLs mount the sandboxes when the settings say so at import. Import them now, under tests/settings.py:
    were the first request made inside a test that turns a sandbox off, the sandbox would be unrouted for the rest
    of the run."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with no abuse-limit counts (the cache is the real one: local memory in this process)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                               "QUEUES": ["default", "emails"]}}


@pytest.fixture(autouse=True)
def _tasks(request, settings):
    """Tasks run as they are enqueued (Django's ImmediateBackend), so a test of a page sees its emails at once;
    the tests of the queue itself ask for `db_tasks` and keep the site's database backend and its worker."""
    if "db_tasks" not in request.fixturenames:
        settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def db_tasks(settings):
    """The site's task backend (django-tasks-db): tasks wait in the database until a worker runs them."""
    return settings.TASKS


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(params=["local", "wix"])
def backend(request, live_server, settings):
    """The bookings backend the site runs on: the embedded engine, or (BOOKINGS_BACKEND=wix) the Wix sandbox served
    by the same live server. Every test using it runs once per backend, as test_x[local] and test_x[wix]."""
    if request.param == "local":
        yield "local"
        return
    from bookingsite.sandboxes.wix import recorder

    switch = _use_wix(live_server, settings)
    next(switch)
    yield "wix"
    # The pages went through the Wix sandbox, not around it to the engine.
    assert any(r["path"].endswith("/time-slots") or "/bookings/" in r["path"] for r in recorder.requests), \
        "no page of this test called the Wix sandbox"
    next(switch, None)


@pytest.fixture
def demo(backend, live_server):
    """The demo business behind a live server, for the browser tests, on each backend; returns the server's
    address."""
    from django.utils import timezone

    from booking.demo import load_demo

    load_demo(timezone.localdate())
    return live_server.url


@pytest.fixture
def console_errors(page) -> list[str]:
    """Errors the page logs, such as a Content Security Policy violation."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def frozen_clock():
    """Sunday 1 March 2026, 07:00 in New York, a week before its spring DST change; the clock stands still."""
    from tests.catalog import NOW

    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def running_clock():
    """The same moment, but the clock runs on (threads waiting on each other need time to pass)."""
    from tests.catalog import NOW

    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def engine():
    """The embedded engine behind the bookings port."""
    from booking.backends.local import LocalEngine

    return LocalEngine()


@pytest.fixture
def wix_site(live_server, settings):
    """BOOKINGS_BACKEND=wix against the Wix sandbox behind a live server; returns the sandbox's base URL. Use
    with django_db(transaction=True), so the server's thread sees the test's rows."""
    yield from _use_wix(live_server, settings)


def _use_wix(live_server, settings):
    """Switch the site to the wix backend (get_backend() caches one per name) with an empty catalog cache and an
    empty sandbox request log, and back afterwards."""
    from django.core.cache import cache

    from booking.backends import _backend
    from bookingsite.sandboxes.wix import recorder

    settings.BOOKINGS_BACKEND = "wix"
    settings.WIX_API_BASE = live_server.url + "/_sandbox/wix"
    settings.WIX_RETRY_BACKOFF_SECONDS = 0.01
    # The journeys written for the custom Stripe checkout keep it in wix mode; tests/test_wix_ecom*.py turn the
    # Wix site's own checkout (the default of WIX_CHECKOUT) back on.
    settings.WIX_CHECKOUT = "stripe"
    _backend.cache_clear()
    cache.clear()
    recorder.clear()
    yield settings.WIX_API_BASE
    _backend.cache_clear()
    cache.clear()
    recorder.clear()
