# lti-pathing: every target a newcomer needs. `make test` is the test command CI runs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck unit bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lti-pathing needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Install it, then run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

lint: install
	$(BIN)/ruff check solver src tests bench
	$(BIN)/ruff format --check solver src tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The test command: lint, types, then the whole suite.
test: lint typecheck unit

bench: install
	$(BIN)/python -m bench.planner $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
