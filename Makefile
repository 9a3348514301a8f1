# Two commands on a fresh machine (Python 3.11 and the package registry are all it needs):
#   make run    install, write the demo landing zone, close 2026-08, 2026-09, 2026-10, restate 2026-09, print summaries
#   make test   install with dev tools, lint, run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
UV_ON_PATH := $(shell command -v uv 2>/dev/null)
ifeq ($(UV_ON_PATH),)
UV := .tools/bin/uv
UV_DEP := .tools/bin/uv
else
UV := $(UV_ON_PATH)
UV_DEP :=
endif
VENV := .venv
BIN := $(VENV)/bin
DBT_FLAGS := --project-dir dbt_project --profiles-dir dbt_project
DEMO_PERIODS := 2026-08 2026-09 2026-10
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installs compile bytecode: every close starts Python processes (the CLI, dbt), and where PYTHONDONTWRITEBYTECODE is
# set (CI images) nothing would be cached, so each process compiled Dagster, dbt and pandas again (~5 s a process).
export UV_COMPILE_BYTECODE := 1
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: help install install-dev install-spark bytecode manifest run demo close ui dashboard docs test test-spark test-spark-unit bench bench-ingest focus-validate lint clean

help:
	@echo "make run    - install, write the demo landing zone, close every demo month, print summaries"
	@echo "make test   - install dev tools, lint, run unit and integration tests"
	@echo "make test-spark - close a demo month on DuckDB and on Spark, compare every table row by row"
	@echo "make test-spark-unit - the same two closes, then every dbt unit test on Spark (not in CI)"
	@echo "make bench  - close at scale vs the engine floor and a pandas peer (BENCH_ROWS, BENCH_MONTHS), and a tiny month; writes bench.json"
	@echo "make bench-ingest - ingest rows/s per export format (BENCH_ROWS, default 1,000,000)"
	@echo "make ui     - open the Dagster UI on the same warehouse and run history"
	@echo "make docs   - documentation for auditors in data/output/docs/: dbt docs, GX Data Docs (PERIOD=YYYY-MM: one month)"
	@echo "make dashboard - cost dashboards on the published marts (BILLING_USER=<user>; port DASHBOARD_PORT=8501)"
	@echo "make lint   - ruff, ruff format and sqlfluff (sqlfluff findings are not fixed yet)"
	@echo "make clean  - remove data/ (warehouse, landing zone, run history) and the dbt target"

.tools/bin/uv:
	@echo "uv not found: installing uv $(UV_VERSION) into .tools/"
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV_DEP)
	$(UV) sync --frozen --no-dev --inexact
	@$(MAKE) --no-print-directory bytecode manifest

install-dev: $(UV_DEP)
	$(UV) sync --frozen
	@$(MAKE) --no-print-directory bytecode manifest

# The project's own modules, for the same reason as UV_COMPILE_BYTECODE (a stale file is recompiled in memory).
bytecode:
	@$(BIN)/python -m compileall -q -j 0 orchestration scripts

# The prepared dbt manifest: parsed once here, reused by every run (no re-parse per step).
# An absolute project directory, as a close's dbt resolves it: the parse records where each file is.
manifest:
	@$(BIN)/billing-dbt parse --project-dir $(realpath dbt_project) --profiles-dir $(realpath dbt_project) --target duckdb --quiet

# dbt-spark (session method) and pyspark: Java 17 must be on the PATH. pyspark builds from source once (~40 s).
install-spark: $(UV_DEP)
	$(UV) sync --frozen --group spark
	@$(MAKE) --no-print-directory bytecode manifest

demo: install
	$(BIN)/billing demo

run: install
	$(BIN)/billing demo
	@for period in $(DEMO_PERIODS); do $(BIN)/billing close --period $$period || exit 1; done
	@echo; echo "September's SLA metrics are corrected after its invoices were issued:"
	$(BIN)/billing demo-sla-correction
	$(BIN)/billing close --period 2026-09
	@echo; $(BIN)/billing status
	@echo; $(BIN)/billing invoices list

close: install
	$(BIN)/billing close --period $(PERIOD)

# The close at scale: BENCH_ROWS cost lines a month (one run per size), BENCH_MONTHS months for the re-close figure.
# Reports figures in data/output/bench/bench.json, asserts nothing (README "Benchmarks").
BENCH_ROWS ?= 1000000 10000000
BENCH_MONTHS ?= 10
# Percent of copied cost lines with amounts of their own (0 repeats the demo's amounts).
BENCH_AMOUNT_VARIETY ?= 0
BENCH_PANDAS_GIB ?= 8
# Times the re-close pair (the month alone, among BENCH_MONTHS) runs: the medians are reported.
BENCH_RECLOSES ?= 3
# Times the demo's own month is closed again unchanged for the fixed-overhead figure (0: left out).
BENCH_TINY_RECLOSES ?= 3
bench: install
	$(BIN)/billing bench $(foreach size,$(BENCH_ROWS),--rows $(size)) --months $(BENCH_MONTHS) --pandas-memory-gib $(BENCH_PANDAS_GIB) --amount-variety $(BENCH_AMOUNT_VARIETY) --reclose-repeats $(BENCH_RECLOSES) --tiny-recloses $(BENCH_TINY_RECLOSES)

# Ingest throughput per export format (Parquet, CSV); the first BENCH_ROWS size, rows each.
bench-ingest: install
	$(BIN)/billing bench-ingest --rows $(firstword $(BENCH_ROWS))

ui: install
	$(BIN)/billing ui

# dbt docs and Great Expectations Data Docs for auditors, from a copy of the warehouse (refused during a close).
docs: install
	$(BIN)/billing docs $(if $(PERIOD),--period $(PERIOD))

# Dashboards over the current publication (data/published/current), as one user of seeds/billing_users.csv:
#   BILLING_USER=dora make dashboard          a personal dashboard: the user is whoever starts it
#   BILLING_DASHBOARD_AUTH=proxy make dashboard   behind an authenticating reverse proxy that sets X-Forwarded-User
DASHBOARD_ADDRESS ?= 127.0.0.1
DASHBOARD_PORT ?= 8501
dashboard: install
	$(BIN)/streamlit run orchestration/dashboard/app.py --server.headless true \
		--server.address $(DASHBOARD_ADDRESS) --server.port $(DASHBOARD_PORT) --browser.gatherUsageStats false \
		--server.fileWatcherType none --client.toolbarMode viewer --client.showErrorDetails none

# sqlfluff is configured (pyproject.toml) but the models do not pass it yet; it is not part of `make test`.
lint: install-dev
	$(BIN)/ruff check orchestration tests scripts
	$(BIN)/ruff format --check orchestration tests scripts
	$(BIN)/sqlfluff lint dbt_project/models

# FOCUS 1.2 conformance of marts.focus_cost_and_usage with the FinOps Foundation's focus-validator (Python 3.12,
# own virtualenv in .tools/, pinned in scripts/focus_validator_requirements.txt) for every demo month; needs the
# demo warehouse (`make run`). Failures outside expectations/focus_validator_allowlist.yml fail the target.
FOCUS_VALIDATOR_PYTHON ?= $(firstword $(shell ls $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 2>/dev/null | tail -1) $(shell command -v python3.12 2>/dev/null))
FOCUS_VALIDATOR_VENV := .tools/focus-validator

$(FOCUS_VALIDATOR_VENV)/bin/focus-validator: scripts/focus_validator_requirements.txt | $(UV_DEP)
	@test -n "$(FOCUS_VALIDATOR_PYTHON)" || { echo "focus-validate needs Python 3.12 (set FOCUS_VALIDATOR_PYTHON)"; exit 2; }
	$(UV) venv --allow-existing --python $(FOCUS_VALIDATOR_PYTHON) $(FOCUS_VALIDATOR_VENV)
	$(UV) pip install --python $(FOCUS_VALIDATOR_VENV)/bin/python -r scripts/focus_validator_requirements.txt
	@touch $@

focus-validate: install $(FOCUS_VALIDATOR_VENV)/bin/focus-validator
	$(BIN)/python scripts/validate_focus.py $(foreach period,$(DEMO_PERIODS),--period $(period))

# The FOCUS validator's own Python 3.12 virtualenv is built first, so its test runs (never skipped) in CI.
test: install-dev $(FOCUS_VALIDATOR_VENV)/bin/focus-validator
	$(BIN)/ruff check orchestration tests scripts
	$(BIN)/pytest -n 2 --dist loadgroup --durations=15

test-spark: install-spark
	@command -v java >/dev/null || { echo "error: Java 17 is needed for Spark (apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(BIN)/pytest tests/spark -v -s -m "not spark_unit"

# The dbt unit tests on Spark, after the same two closes (not in CI: about as long again as test-spark).
test-spark-unit: install-spark
	@command -v java >/dev/null || { echo "error: Java 17 is needed for Spark (apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(BIN)/pytest tests/spark -v -s -m spark_unit

clean:
	rm -rf data dbt_project/target dbt_project/logs
