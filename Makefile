# Two commands for a fresh clone: `make run` serves the app with demo data, `make test` runs
# the suite on PostgreSQL and on SQLite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PORT ?= 8000

.PHONY: run install test test-pg test-sqlite lint bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py setup_demo --base-url http://127.0.0.1:$(PORT)
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	bash .ci/services
	$(MAKE) test-pg
	$(MAKE) test-sqlite

test-pg: $(STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	bash .ci/services
	DATABASE_URL=$(PG_URL) $(BIN)/python bench/run.py

bench-quick: $(STAMP)
	bash .ci/services
	DATABASE_URL=$(PG_URL) $(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .demo-credentials .demo-token
