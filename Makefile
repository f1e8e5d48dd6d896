# Tongzheng: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
VENDOR := build/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup assets browser gettext lint migrate demo serve clean

setup: $(VENV)/.installed assets

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

assets: $(VENDOR)/.built

$(VENDOR)/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/
	touch $@

# Debian's chromium drives the browser tests; a test tool's own browser download fails here.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# GNU gettext's xgettext: makemessages, and the test that the catalogue holds every
# marked message (docs/i18n.md).
gettext:
	@command -v xgettext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }

migrate: setup
	mkdir -p var
	$(BIN)/tongzheng migrate --noinput

demo: migrate
	$(BIN)/tongzheng demo --scale county --if-empty

# The demo county (510121 金堂县) is the demo hotline centre's area: reports filed without
# a place go there. Production sets its own centre's code.
run: export HOTLINE_DEFAULT_DIVISION ?= 510121
# --blocking-threads bounds the threads, and so the database connections, per worker: with
# granian's default every concurrent request got a thread and a connection until
# PostgreSQL refused more (docs/benchmarks.md, hotline mixed load).
# Two workers must share one cache (rate limits, cached public pages): the REDIS_URL given,
# else this machine's Redis when it answers; without one, one worker, whose own memory then
# is the whole cache.
run: demo
	$(BIN)/tongzheng collectstatic --noinput --verbosity 0
	@if [ -z "$$REDIS_URL" ] && $(BIN)/python -c 'import redis; redis.Redis(socket_timeout=1).ping()' 2>/dev/null; then \
	  export REDIS_URL=redis://127.0.0.1:6379/1; fi; \
	if [ -n "$$REDIS_URL" ]; then workers=2; else workers=1; fi; \
	echo "cache: $${REDIS_URL:-none, one process}; workers: $$workers"; \
	exec $(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) --workers $$workers --blocking-threads 8 tongzheng.wsgi:application

test: setup browser gettext
	TONGZHENG_MODE=test $(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/tongzheng makemigrations --check --dry-run

clean:
	rm -rf $(VENV) build node_modules var/static
