"""`slot_page_load`: the slot page under load. gunicorn with its usual workers serves the bench business; Debian's
`wrk` keeps LOAD_CLIENTS connections busy for LOAD_SECONDS, each GET a fresh visitor (wrk sends no cookies).
`slot_page_load_before` does the same against a server with the settings of before (no caches, a database connection
per request), so that the ratio the issue asks for comes from one run.

wrk reports through a Lua `done()` hook, which prints one JSON line: requests per second and the latency percentiles
wrk recorded (it keeps every request's latency), so p50 and p95 are exact rather than read off its summary table.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

from bench.http_clients import ROOT, current_database_url, live_server

WRK = shutil.which("wrk")

# Runs inside wrk after the run; latency is in microseconds.
REPORT = """
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "non_2xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, seconds,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def run_wrk(url: str, *, clients: int, seconds: int, threads: int = 2) -> dict:
    """wrk against `url`; its JSON report (the last line of its output)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(REPORT)
        script.flush()
        # The header of production's TLS proxy, as the customers of bench/http_clients.py send it.
        command = [WRK, "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
                   "-H", "X-Forwarded-Proto: https", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)  # noqa: S603
    return json.loads(output.stdout.strip().splitlines()[-1])


# Production's settings behind a TLS-terminating proxy (README, "Production"): DEBUG off, no sandboxes, a key of
# the run's own, the proxy's X-Forwarded-Proto trusted; the static files collected as production collects them.
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "STRIPE_SANDBOX": "false",
              "WIX_SANDBOX": "false", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
# The server as deployed: the availability cache and the kept slot pages on (each worker's local memory, no
# REDIS_URL), a database connection kept per worker (CONN_MAX_AGE, the production default) and, on PostgreSQL,
# its prepared statements.
DEPLOYED = {**PRODUCTION, "AVAILABILITY_CACHE": "true", "CONN_MAX_AGE": "60"}
# What the "today" figure measured: no cache of either kind, a new database connection per request, every
# query planned afresh.
BEFORE = {**PRODUCTION, "AVAILABILITY_CACHE": "false", "CONN_MAX_AGE": "0", "DATABASE_PREPARED_STATEMENTS": "false"}


def collect_static() -> None:
    """`collectstatic` with production's storage, which the pages of a server with DEBUG off need (its manifest).
    The project's own settings, as the servers read them: the tests' would turn DEBUG back on."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],  # noqa: S603
                   cwd=ROOT, env={**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "bookingsite.settings"},
                   check=True)


def slot_page_load(service, monday, *, clients: int, seconds: int, say, name: str = "slot_page_load",
                   server: dict = DEPLOYED) -> dict | None:
    """Requests per second and latency of the slot page with `clients` keep-alive clients, the server run with
    the `server` settings; None without wrk."""
    if WRK is None:
        say(f"{name}: SKIPPED: no wrk (make bench installs Debian's wrk with apt where it can)")
        return None
    path = f"/services/{service.slug}/?month={monday:%Y-%m}&day={monday.isoformat()}"
    with live_server(current_database_url(), settings_for=lambda _url: server) as base:
        shown = {key: value for key, value in server.items() if key != "SECRET_KEY"}
        say(f"{name}: {clients} clients for {seconds} s against {base}{path} ({shown})")
        run_wrk(base + path, clients=clients, seconds=2)  # warm-up: every worker has loaded its code and connection
        report = run_wrk(base + path, clients=clients, seconds=seconds)
    if report["errors"] or report["non_2xx"] or not report["requests"]:
        raise RuntimeError(f"{name}: {report}")
    figures = {
        "name": name, "median_ms": round(report["p50_us"] / 1000, 2),
        "p95_ms": round(report["p95_us"] / 1000, 2), "queries": None,
        "requests_per_second": round(report["requests"] / report["seconds"], 1), "clients": clients,
        "seconds": seconds,
    }
    say(f"{name}: {figures['requests_per_second']} requests/s, p50 {figures['median_ms']} ms, "
        f"p95 {figures['p95_ms']} ms")
    return figures
