# lti-pathing: every target a newcomer needs. `make test` is the test command CI runs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The PostgreSQL the database tests run against a second time (a throw-away database is created
# on it per run). Unreachable: those tests are skipped, except under CI, where they fail.
TEST_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

# `make demo`: the development LMS on http://localhost:$(PORT), the tool on 127.0.0.1:$(PORT)+1.
PORT ?= 5000

# The dependency set `make install` (and so CI) installs: every package at an exact version, with
# its hashes. pyproject.toml keeps the ranges, for people who install lti-pathing as a library.
# `make lock` moves the lock on deliberately (see the README's "Dependencies").
LOCK      := requirements.lock
LOCK_VENV := .venv-lock
PIP_TOOLS ?= pip-tools==7.6.2
LOCK_ARGS ?= --upgrade

.PHONY: install lock demo screenshots test lint typecheck unit unit-postgres bench clean

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lti-pathing needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Install it, then run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

# Re-resolve pyproject.toml's ranges to the newest releases they allow (LOCK_ARGS=--upgrade), or
# move one package on: make lock LOCK_ARGS="--upgrade-package celery". Then `make test`, and
# commit pyproject.toml and requirements.lock together.
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip '$(PIP_TOOLS)'
	$(LOCK_VENV)/bin/pip-compile --quiet $(LOCK_ARGS) --extra dev --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --unsafe-package lti-pathing \
		--output-file $(LOCK) pyproject.toml

# The one-command demo: database and sample organisation in the instance folder, then the tool
# and the development LMS until Ctrl-C (see src/lti_pathing/devplatform/demo.py).
demo: install
	$(BIN)/lti-pathing demo --port $(PORT)

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: install
	LTI_PATHING_TEST_README_SHOTS=1 $(BIN)/pytest -m browser tests/browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check solver src tests bench
	$(BIN)/ruff format --check solver src tests bench
	$(BIN)/bandit --quiet --recursive src solver --severity-level medium
	PYTHONPATH=src:. $(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

unit: install
	env -u LTI_PATHING_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

unit-postgres: install
	LTI_PATHING_TEST_DATABASE_URL=$(TEST_POSTGRES) $(BIN)/pytest -m db $(PYTEST_ARGS)

# The test command: lint, types, the whole suite on SQLite (the browser tests in Chromium among
# them), then the database tests on PostgreSQL.
test: lint typecheck unit unit-postgres

bench: install
	$(BIN)/python -m bench.planner $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache
