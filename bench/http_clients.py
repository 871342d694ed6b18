"""The booking pages over real HTTP: a multi-process gunicorn server on the database Django uses, and customers in
separate processes, each with its own cookies, walking slot picker → details → review → confirmation.

Used by the HTTP race test (tests/test_http_race.py) and by `book_http` in the benchmark (bench/run.py). Nothing
here imports Django at module level: the customer processes are spawned and need only requests.
"""

import multiprocessing
import os
import queue
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited database connections or locks
HTTP_TIMEOUT = 60  # seconds; SQLite writers may queue for the write lock (its timeout is 20 s)


# ---- the server ------------------------------------------------------------------------------------------------


def current_database_url() -> str:
    """A DATABASE_URL for the database Django's default connection uses now (in a test: the test database)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise ValueError("An in-memory SQLite database cannot be shared with a server's processes.")
        return f"sqlite:///{Path(name).resolve()}"
    # Same server, user and options as configured; only the database name differs (test_<name>, bench_<pid>).
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{quote(name)}", parts.query, parts.fragment))


@contextmanager
def live_server(database: str, workers: int = WORKERS, settings_for=None):
    """gunicorn serving the site from `database` with `workers` worker processes on 127.0.0.1; yields its base URL
    once it answers, and stops it on the way out. `settings_for(url)` may add environment settings that need the
    server's address."""
    import gunicorn

    # The parent binds the port and hands the socket over (fd://): no window in which another process takes it.
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [sys.executable, "-m", "gunicorn", "bookingsite.wsgi", "--bind", f"fd://{listener.fileno()}",
               "--workers", str(workers), "--preload", "--timeout", str(HTTP_TIMEOUT)]
    if gunicorn.version_info >= (25, 1):
        command.append("--no-control-socket")  # one control socket per user: servers running side by side clash
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "bookingsite.settings",
           **(settings_for(url) if settings_for else {})}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                  pass_fds=[listener.fileno()])
        listener.close()  # the server's copy stays open; if it dies, connecting fails at once instead of hanging
        try:
            _wait_until_serving(url, server, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_serving(url: str, server: subprocess.Popen, log) -> None:
    # Connections wait in the socket's backlog until a worker is up, so one patient request is the readiness check.
    try:
        response = BrowserSession().get(f"{url}/", timeout=HTTP_TIMEOUT)
        if response.status_code == 200:
            return
        problem = f"GET / answered {response.status_code}"
    except requests.RequestException as error:
        problem = f"GET / failed: {error}"
    log.seek(0)
    raise RuntimeError(f"gunicorn did not serve ({problem}; exit code {server.poll()}):\n"
                       f"{log.read().decode(errors='replace')[-5000:]}")


# ---- a customer ------------------------------------------------------------------------------------------------


class _PostForm(HTMLParser):
    """The hidden fields of the page's POST forms (CSRF token, the chosen time, submission key, payment)."""

    def __init__(self):
        super().__init__()
        self.in_post_form = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_post_form = (attrs.get("method") or "").lower() == "post"
        elif tag == "input" and self.in_post_form and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post_form = False


def hidden_fields(html: str) -> dict[str, str]:
    parser = _PostForm()
    parser.feed(html)
    return parser.fields


@dataclass(frozen=True)
class ReviewForm:
    """The review page, ready to submit: its address and the fields its form posts."""

    url: str
    fields: dict[str, str]


@dataclass
class Outcome:
    """What posting the review form got: a redirect and the page it leads to, or a page."""

    link: str  # the details link of the time the customer chose
    status: int
    location: str = ""
    text: str = ""  # the page answered, or the one the redirect led to
    followed_status: int | None = None
    # A journey's timing: perf_counter for its length, the wall clock to line up journeys of several processes.
    elapsed_ms: float = 0.0
    started_at: float = 0.0
    finished_at: float = 0.0


class Customer:
    """One browser: its own cookies (session and CSRF token)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = BrowserSession()

    def get(self, url: str, **params) -> requests.Response:
        response = self.http.get(urljoin(self.base_url, url), params=params, timeout=HTTP_TIMEOUT)
        _expect(response, 200)
        return response

    def open_times(self, slug: str, **params) -> list[str]:
        """The details links the service's page offers: the chosen day's times (params: month, day, staff, tz)."""
        page = self.get(f"/services/{slug}/", **params)
        return [unescape(link) for link in re.findall(rf'href="(/services/{re.escape(slug)}/details/\?[^"]+)"',
                                                        page.text)]

    def post(self, page: requests.Response | ReviewForm, data: dict[str, str]) -> requests.Response:
        """Submits the form of `page` (a page got, or the review form) as a browser does, naming the page it is on."""
        return self.http.post(page.url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT,
                              headers={"Referer": _through_proxy(page.url)})

    def fill_details(self, link: str, answers: dict[str, str]) -> ReviewForm:
        """The booking form for the chosen time, then the review page it leads to."""
        form = self.get(link)
        sent = self.post(form, {**hidden_fields(form.text), **answers})
        _expect(sent, 302)
        review = self.get(sent.headers["Location"])
        return ReviewForm(review.url, hidden_fields(review.text))

    def book(self, link: str, review: ReviewForm) -> Outcome:
        """Posts the review form (Book now) and follows a redirect (to the confirmation)."""
        response = self.post(review, review.fields)
        if not response.is_redirect:
            return Outcome(link, response.status_code, text=response.text)
        location = response.headers["Location"]
        page = self.http.get(urljoin(self.base_url, location), timeout=HTTP_TIMEOUT)
        return Outcome(link, response.status_code, location, page.text, page.status_code)


class BrowserSession(requests.Session):
    """A browser's session as if through the TLS-terminating proxy of production (README, "Production"): the
    proxy's header says each request came over HTTPS, and the server's HTTPS-only cookies go back to it (requests
    would keep them off plain HTTP). A development server ignores the header and sets no such cookies."""

    def __init__(self):
        super().__init__()
        self.trust_env = False  # the server is local: no proxy from the environment
        self.headers["X-Forwarded-Proto"] = "https"

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def _through_proxy(url: str) -> str:
    """The address a browser has for the page, on the proxy's HTTPS; production's CSRF check wants it as Referer
    (a development server, on plain HTTP, does not look)."""
    return urlunsplit(("https", *urlsplit(url)[1:]))


def page_title(html: str) -> str:
    """A page's <title>: enough to tell the pages apart in a failure message (Django's debug page names the error)."""
    found = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    return unescape(found[1]).strip() if found else html[:200]


def _expect(response: requests.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.url} answered {response.status_code}, not {status}: "
                           f"{page_title(response.text)}")


# ---- customers in separate processes ---------------------------------------------------------------------------


def race_for_first_time(base_url: str, slug: str, day: str, answers: dict, barrier) -> Outcome:
    """A customer who picks the day's first time and fills in the form, waits at the barrier for everyone else,
    then books: the review POSTs of all the customers leave together."""
    customer = Customer(base_url)
    try:
        link = customer.open_times(slug, day=day)[0]
        review = customer.fill_details(link, answers)
    except BaseException:
        barrier.abort()  # the others must not wait for a customer who will never come
        raise
    barrier.wait(timeout=HTTP_TIMEOUT)
    return customer.book(link, review)


def book_first_times(base_url: str, slug: str, staff: str, month: str, answers: dict, warmups: int, count: int,
                     barrier) -> list[Outcome]:
    """A customer who books `warmups` times, waits at the barrier for everyone else, then books `count` times more,
    always the first open time of the month (YYYY-MM) with one staff member, on the first day the calendar offers;
    each journey is timed from the slot page to the
    confirmation page. Returns the timed journeys."""
    customer = Customer(base_url)

    def journey(n: int) -> Outcome:
        started_at, started = time.time(), time.perf_counter()
        link = customer.open_times(slug, month=month, staff=staff)[0]
        outcome = customer.book(link, customer.fill_details(link, {**answers, "email": f"{n}.{answers['email']}"}))
        outcome.elapsed_ms = (time.perf_counter() - started) * 1000
        outcome.started_at, outcome.finished_at = started_at, time.time()
        return outcome

    try:
        for n in range(warmups):
            journey(n)
    except BaseException:
        barrier.abort()
        raise
    barrier.wait(timeout=HTTP_TIMEOUT)
    return [journey(n) for n in range(warmups, warmups + count)]


def run_customers(target, arguments: list[tuple], timeout: float) -> list:
    """Runs target(*args) for each entry of `arguments`, each in its own spawned process, and returns the results in
    order. Raises if a customer raised (with its traceback) or if they are not all done within `timeout` seconds."""
    results = SPAWN.Queue()
    processes = [SPAWN.Process(target=_report, args=(index, results, target, args), daemon=True)
                 for index, args in enumerate(arguments)]
    for process in processes:
        process.start()
    collected = {}
    deadline = time.monotonic() + timeout
    try:
        while len(collected) < len(processes):
            index, result = results.get(timeout=max(deadline - time.monotonic(), 0.1))
            collected[index] = result
    except queue.Empty:
        raise RuntimeError(f"{len(processes) - len(collected)} customers did not finish in {timeout} s") from None
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    failures = [result for result in collected.values() if isinstance(result, _Failure)]
    if failures:
        # The customers that only saw the barrier broken say nothing about why: show the cause.
        failures.sort(key=lambda failure: "BrokenBarrierError" in failure.traceback)
        raise RuntimeError(f"{len(failures)} customers failed; for example:\n{failures[0].traceback}")
    return [collected[index] for index in range(len(processes))]


@dataclass(frozen=True)
class _Failure:
    traceback: str


def _report(index: int, results, target, args) -> None:
    try:
        result = target(*args)
    except BaseException:
        result = _Failure(traceback.format_exc())
    results.put((index, result))
