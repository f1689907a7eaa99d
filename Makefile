# Duban: `make run` sets up and serves the app with its background jobs; `make test` runs every test.
# Setup is idempotent: stamp files remember what is installed, so a second run takes a second.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The interpreter that creates .venv (the project targets Python 3.11).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.duban-requirements.stamp
# Kept inside node_modules, so deleting node_modules also forgets it.
NPM_STAMP := node_modules/.duban-npm-ci.stamp
# pytest-xdist workers: auto = one per core. Extra pytest arguments: make test PYTEST_ARGS='-k foo'.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test

.PHONY: help setup run test clean npm messages

help: ## Show this help
	@echo "Duban make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-6s %s\n", $$1, $$2}'
	@echo "Variables: DATABASE_URL (default SQLite under var/), REDIS_URL, PYTEST_WORKERS=$(PYTEST_WORKERS), PYTEST_ARGS"

setup: $(PIP_STAMP) npm messages ## Create .venv, install Python and npm packages, compile translations
	@mkdir -p var

$(PY):
	@test -n "$(PYTHON)" || { echo "error: python3.11 (or python3) not found" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.version_info[:2] == (3, 11) or print("warning: Duban targets Python 3.11; creating .venv with", sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

# npm ci reinstalls node_modules exactly as package-lock.json says; only when the lock changed.
npm:
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "warning: npm is not installed: skipping the front-end packages (bootstrap, bootstrap-icons);"; \
		echo "warning: pages will lack their styles and icons until you install Node.js/npm and run make setup."; \
	elif [ ! -f $(NPM_STAMP) ] || [ package-lock.json -nt $(NPM_STAMP) ]; then \
		echo "npm ci"; npm ci --no-audit --no-fund && touch $(NPM_STAMP); \
	fi

# The compiled .mo files are committed: without msgfmt (gettext), or when every .mo is newer
# than its .po, there is nothing to do.
messages: | $(PIP_STAMP)
	@command -v msgfmt >/dev/null 2>&1 || exit 0; \
	for po in $$(find . -name '*.po' -not -path './.venv/*' -not -path './node_modules/*'); do \
		if [ "$$po" -nt "$${po%.po}.mo" ]; then \
			exec $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
		fi; \
	done

run: setup ## Set up, migrate, load the demo data and serve http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all)
	bin/run

test: setup ## Set up, then run the migration and system checks and every test (pytest -n auto)
	@# Models against migrations needs no database: an in-memory one avoids warnings about a missing DB.
	$(TEST_ENV) DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) manage.py check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(PY) -m pytest --ds=config.settings.test -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean: ## Remove var/ (local database, broker, uploads) and the setup stamps
	rm -rf var
	rm -f $(PIP_STAMP) $(NPM_STAMP)
