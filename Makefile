# batchui: `make run` serves the product on its embedded defaults, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-services lint lint-docker browser-deps server-deps bench-deps screenshots \
	simulator bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium for the browser tests (Playwright's own download does not work here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (needed by the browser tests)"; exit 1; \
	  fi; \
	fi

# PostgreSQL and Redis servers for the second test run (tests/services.py starts throwaway ones
# on 127.0.0.1 and stops them afterwards; apt starts no service).
server-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing:$$missing: run 'sudo apt-get install -y $$missing' (needed by the tests)"; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-docker: $(VENV)/.dev-installed
	$(BIN)/hadolint --failure-threshold warning Dockerfile

# Everything: lint, the whole suite on SQLite (browser tests included), then everything but the
# browser tests again on PostgreSQL + Redis (which also runs the two-instance test).
test: $(VENV)/.dev-installed browser-deps server-deps
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/hadolint --failure-threshold warning Dockerfile
	$(BIN)/pytest
	$(BIN)/python tests/services.py -- $(BIN)/pytest -m "not browser"

test-sqlite: $(VENV)/.dev-installed browser-deps
	$(BIN)/pytest

test-services: $(VENV)/.dev-installed server-deps
	$(BIN)/python tests/services.py -- $(BIN)/pytest -m "not browser"

# The screenshots in docs/screenshots, taken again on purpose (browser tests otherwise write theirs
# to the ignored test-results/screenshots): the review and the widget (test_review.py), the batch
# list at 1366x800 and 390x844 and the Open dialog at 390 px (test_list_layout.py).
screenshots: $(VENV)/.dev-installed browser-deps
	BATCHUI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -m browser \
	  tests/browser/test_review.py tests/browser/test_list_layout.py

simulator: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runsimulator 127.0.0.1:8100

bench: $(VENV)/.dev-installed bench-deps
	$(BIN)/python benchmarks/run_all.py

# wrk for the load benchmark (bench_list.py).
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "wrk is missing: run 'sudo apt-get install -y wrk' (needed by make bench)"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles
