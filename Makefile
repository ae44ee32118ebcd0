# Two commands for a newcomer: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run` needs the service only: a newcomer waits for its dependencies, not the tools'.
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint typecheck layers check schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

## run: start PostgreSQL, Redis, the migrations, a worker and the API (10,000 demo customers on
## the first start); print the URLs and a dev key
run: $(RUN_STAMP)
	$(BIN)/clientbase dev --seed 10000

## test: lint, type-check, check the layering, then run the test suite on real servers
test: check
	$(BIN)/pytest

check: lint typecheck layers

lint: $(STAMP)
	$(BIN)/ruff check clientbase tests migrations bench
	$(BIN)/ruff format --check clientbase tests migrations bench

typecheck: $(STAMP)
	$(BIN)/mypy clientbase

layers: $(STAMP)
	$(BIN)/lint-imports

## schema: regenerate the committed SDL after changing the API
schema: $(STAMP)
	$(BIN)/clientbase schema > clientbase/schema/schema.graphql

clean:
	rm -rf $(VENV) .clientbase .mypy_cache .ruff_cache .pytest_cache
