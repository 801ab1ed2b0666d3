# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 4
THREADS ?= 2
APP_ROLE ?= triage_app

.PHONY: run test lint install fuzz bench bench-quick cluster cluster-quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Serves the demo on http://$(HOST):$(PORT): embedded PostgreSQL unless DATABASE_URL is set.
# Debug mode by default: a local demo over plain HTTP, with a generated secret key under var/.
# On the embedded server, the web process and the worker connect as APP_ROLE, granted only what they use (ADR 0015);
# migrations and the demo's seeding as postgres. With DATABASE_URL, everything connects as the URL says.
run: export DJANGO_DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --noinput
	$(if $(DATABASE_URL),,$(BIN)/python manage.py grant_app_role $(APP_ROLE))
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Swagger UI /api/docs/, admin /admin/), with the alerts' worker (restarted if it stops)"
	( trap 'kill $$child 2>/dev/null; exit' INT TERM; \
	  while :; do EMBEDDED_DATABASE_USER=$(APP_ROLE) $(BIN)/python manage.py procrastinate worker --queues alerts --concurrency 4 & child=$$!; \
	  wait $$child; echo "The alerts worker stopped (the database away?): restarting it in 5 s." >&2; sleep 5; done ) & \
	worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	EMBEDDED_DATABASE_USER=$(APP_ROLE) WEB_WORKERS=$(WORKERS) WEB_THREADS=$(THREADS) $(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT)

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

# More than one machine, on this one (bench/cluster.py): PgBouncer, two app instances and the worker behind nginx,
# one instance and the worker killed mid-run; prints its figures and fails if a check does not hold.
cluster: install
	@command -v nginx >/dev/null && command -v pgbouncer >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light pgbouncer >/dev/null)
	$(BIN)/python -m bench.cluster $(CLUSTER_ARGS)

cluster-quick:
	$(MAKE) cluster CLUSTER_ARGS=--quick

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
