# Two commands on a fresh machine: `make run` and `make test`. Python 3.11+ is all you need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test install install-dev lint format typecheck pytest messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate, load demo data into an empty database and serve on :$(PORT)
run: $(VENV)/.installed
	$(BIN)/swl db upgrade
	DEMO_DATA=$${DEMO_DATA:-$$( [ "$$APP_ENV" = production ] && echo false || echo true )} \
		$(BIN)/swl serve --port $(PORT)

## test: lint, format check, type check and the whole suite (SQLite, plus PostgreSQL
## when TEST_DATABASE_URL is set)
test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy app

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

## messages: extract translatable strings and update the .po catalogs
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

## bench: performance figures (not part of the test suite): the load bench (wrk against the
## service and anchor apps, SQLite and PostgreSQL), the permit render bench and the timing of
## registration and login per case (bench/enumeration.py) and the statistics over 100,000
## permits (bench/council_statistics.py). Installs wrk
## when missing. Defaults: 100000 permits, 10000 queued, both databases. BENCH_ARGS go to
## bench/load.py, e.g. BENCH_ARGS="--quick --db sqlite" (see .venv/bin/python bench/load.py -h).
BENCH_ARGS ?=
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null 2>&1 || { \
		echo "== installing Debian package: wrk"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/load.py $(BENCH_ARGS)
	$(BIN)/python bench/permit_render.py
	$(BIN)/python bench/enumeration.py
	$(BIN)/python bench/council_statistics.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
