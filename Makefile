# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
THREADS ?= 4

.PHONY: run test lint install fuzz

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
	@echo "Serving on http://$(HOST):$(PORT)/  (Swagger UI /api/docs/, admin /admin/)"
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --threads $(THREADS) --access-logfile -

test: install
	$(BIN)/pytest

# schemathesis for longer than CI does: FUZZ_EXAMPLES examples per operation and role.
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/fuzz -s -m fuzz

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
