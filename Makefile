# vrhub: two commands get a newcomer running — `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= demo-home
YEARS ?= 5
SEED ?= 2026
SERVE ?= 1

.PHONY: install install-spark install-node demo test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

# The tests also run every measure on Apache Spark: PySpark is installed for them (and Java,
# which Spark needs, comes from the system; .ci/run installs it where it is missing).
$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.lock
	$(BIN)/python -m pip install -q -r requirements-spark.lock
	touch $@

install-spark: $(VENV)/.installed-spark

# The accessibility tests run axe-core (from npm) in Debian's Chromium (.ci/run installs it).
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

install-node: node_modules/.installed

demo: install
	$(BIN)/vrhub demo --home $(HOME_DIR) --years $(YEARS) --seed $(SEED)
	$(BIN)/vrhub report sna --home $(HOME_DIR) --audience analyst --out $(HOME_DIR)/reports/analyst
	$(BIN)/vrhub report sna --home $(HOME_DIR) --audience public --out $(HOME_DIR)/reports/public

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

test: lint typecheck install-spark install-node
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/measures.py
	$(BIN)/python benchmarks/reports.py

clean:
	rm -rf $(VENV) $(HOME_DIR) node_modules .pytest_cache .mypy_cache .ruff_cache
