# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamps make a re-run fast: pip runs again only when pyproject.toml changes.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PG_STAMP := $(VENV)/.installed-pg
BENCH_STAMP := $(VENV)/.installed-bench
# What `make test-pg` runs against PostgreSQL: the [postgresql] variants (marked `pg`) of
# the persistence, migration, bundle and concurrency tests.
PG_TESTS := tests/pg tests/models tests/migrations tests/app/services/test_concurrency.py
# pytest-xdist workers for make test: auto = one per core; TEST_WORKERS=0 runs the suite serially
# in one process. --dist loadfile keeps a file's tests (and their module fixtures) on one worker.
TEST_WORKERS ?= auto

.PHONY: run test test-pg test-all bench lint screenshots dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . --config-settings editable_mode=compat
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]" --config-settings editable_mode=compat
	touch $@ $(RUN_STAMP)

$(PG_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,pg]" --config-settings editable_mode=compat
	touch $@ $(TEST_STAMP) $(RUN_STAMP)

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,bench]" --config-settings editable_mode=compat
	touch $@ $(TEST_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/wsc gui

test: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not slow and not pg"
	QT_QPA_PLATFORM=offscreen $(BIN)/lint-imports

# A throw-away PostgreSQL server (installed with apt-get if missing, in a temporary directory,
# on 127.0.0.1 at a free port) for the run; scripts/pg.sh stops and removes it on exit.
test-pg: $(PG_STAMP)
	QT_QPA_PLATFORM=offscreen bash scripts/pg.sh $(BIN)/python -m pytest -q -m pg $(PG_TESTS)

test-all: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not pg"

bench: $(BENCH_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

screenshots: $(RUN_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.shell.screenshots docs/screenshots

# A wheel and an sdist in dist/ (tests/test_packaging.py installs the wheel into a fresh venv).
dist: $(TEST_STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --sdist --wheel --outdir dist .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
