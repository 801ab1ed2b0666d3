# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 4
THREADS ?= 2

.PHONY: run test lint install fuzz bench bench-quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Serves the demo on http://$(HOST):$(PORT): embedded PostgreSQL unless DATABASE_URL is set.
# Debug mode by default: a local demo over plain HTTP, with a generated secret key under var/.
run: export DJANGO_DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Swagger UI /api/docs/, admin /admin/), with the alerts' worker (restarted if it stops)"
	( trap 'kill $$child 2>/dev/null; exit' INT TERM; \
	  while :; do $(BIN)/python manage.py procrastinate worker --queues alerts --concurrency 4 & child=$$!; \
	  wait $$child; echo "The alerts worker stopped (the database away?): restarting it in 5 s." >&2; sleep 5; done ) & \
	worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	WEB_WORKERS=$(WORKERS) WEB_THREADS=$(THREADS) $(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT)

test: install
	$(BIN)/pytest

# schemathesis for longer than CI does: FUZZ_EXAMPLES examples per operation and role.
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/fuzz -s -m fuzz

# The benchmark (bench/run.py): wrk and pgbench on this machine, floors and ratios, report in bench/results/.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick:
	$(MAKE) bench BENCH_ARGS=--quick

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
