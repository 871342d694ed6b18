# The two commands of the README: `make run` and `make test`. Everything they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST_PORT ?= 127.0.0.1:8000

.PHONY: install run test browser wrk lint bench clean

# Development: the settings default to production's (DEBUG off, no sandbox); these commands ask for development.
run test bench: export DEBUG ?= true
run test bench: export STRIPE_SANDBOX ?= true

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (see .python-version).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# The development sandboxes are on for `make run` (and for the tests, tests/settings.py), unless the environment says
# otherwise (STRIPE_SANDBOX=false with real Stripe test keys).
run: export STRIPE_SANDBOX ?= true
# The Wix sandbox is on, so that BOOKINGS_BACKEND=wix make run works with no Wix account.
run: export WIX_SANDBOX ?= true
# Links in emails, and the Wix sandbox's address (WIX_API_BASE), follow the address the site is served on.
run: export SITE_URL ?= http://$(HOST_PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_demo_admin
	@echo "Site: http://$(HOST_PORT)/"
	$(BIN)/python manage.py serve $(HOST_PORT)  # runserver, and the worker (run_worker) beside it

# Debian's Chromium for the browser tests; Playwright's own browser download cannot work here.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		echo "Installing Debian's chromium for the browser tests..."; \
		($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null) \
			|| echo "Could not install chromium; the browser tests will say why they are skipped."; \
	fi

test: install browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

# Debian's wrk, the load generator of `slot_page_load`; the bench says so when it cannot be had.
wrk:
	@if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		echo "Installing Debian's wrk for the load benchmark..."; \
		($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null) \
			|| echo "Could not install wrk; slot_page_load will be skipped."; \
	fi

# On SQLite, then on PostgreSQL when BENCH_POSTGRES_URL's server answers (each in a throwaway database).
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: install wrk
	$(BIN)/python -m bench.run $(BENCH_ONLY)
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(BENCH_POSTGRES_URL)').close()" 2>/dev/null; then \
		DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python -m bench.run $(BENCH_ONLY); \
	else echo "bench: no PostgreSQL at $(BENCH_POSTGRES_URL); SQLite figures only."; fi

clean:
	rm -rf $(VENV) var staticfiles
