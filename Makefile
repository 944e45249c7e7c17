# Quick start: `make demo` and `make test`. Both create .venv if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench samples clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== mining grandmother from sample_dbs/family.sql =="
	$(BIN)/ruledisc mine sample_dbs/family.sql --target grandmother --background parent,male,female
	@echo "== mining customers.churned from sample_dbs/shop.sql =="
	$(BIN)/ruledisc mine sample_dbs/shop.sql --target customers.churned
	@echo "== mining orders.late (joins, constants, thresholds; 10% noisy labels) from sample_dbs/business.sql =="
	$(BIN)/ruledisc mine sample_dbs/business.sql --target orders.late --noise 0.1

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check ruledisc tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/phases.py

samples: $(STAMP)
	$(BIN)/python -m ruledisc.datasets.build sample_dbs

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
