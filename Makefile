# vrhub: two commands get a newcomer running — `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= demo-home
YEARS ?= 5
SEED ?= 2026
SERVE ?= 1

.PHONY: install install-spark install-node web-assets demo test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed web-assets

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

# The dashboard's assets: GOV.UK Frontend compiled with the partnership's type (Sass, from npm).
WEB_STATIC := src/vrhub/web/static
$(WEB_STATIC)/.built: node_modules/.installed src/vrhub/web/scss/vrhub.scss src/vrhub/web/scss/vrhub.js
	mkdir -p $(WEB_STATIC)/govuk
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps src/vrhub/web/scss/vrhub.scss $(WEB_STATIC)/vrhub.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(WEB_STATIC)/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images $(WEB_STATIC)/govuk/
	cp src/vrhub/web/scss/vrhub.js $(WEB_STATIC)/vrhub.js
	touch $@

web-assets: $(WEB_STATIC)/.built

demo: install
	$(BIN)/vrhub demo --home $(HOME_DIR) --years $(YEARS) --seed $(SEED)
	$(BIN)/vrhub report sna --home $(HOME_DIR) --audience analyst --out $(HOME_DIR)/reports/analyst
	$(BIN)/vrhub report sna --home $(HOME_DIR) --audience partner --out $(HOME_DIR)/reports/partner
	$(BIN)/vrhub report sna --home $(HOME_DIR) --audience public --out $(HOME_DIR)/reports/public
ifeq ($(SERVE),1)
	@echo "Demo accounts (user, role, password):" && grep -v '^#' $(HOME_DIR)/demo-accounts.txt
	$(BIN)/vrhub serve --home $(HOME_DIR) --host 127.0.0.1 --port 8000
endif

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -c pyproject.toml -r src -q

# Known vulnerabilities in the pinned dependencies (needs the PyPI JSON API or OSV).
audit-deps: install
	$(BIN)/pip-audit --strict --progress-spinner off

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
