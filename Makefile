# The two commands of the quick start: `make run` and `make test`. Each sets up what it needs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn worker processes for `make serve`; WEB_CONCURRENCY is the name hosting platforms set. Each runs THREADS
# threads (gunicorn's gthread workers). Measured on the 2-core development machine, PostgreSQL at the large scale,
# wrk with 16 connections for 8 s, the two kinds interleaved twice (the machine was busy: load 6-8, so the ratios
# matter, not the figures): work items of 2012, 49 / 62 req/s with 3 sync workers against 146 / 161 with 2 gthread
# workers of 4 threads (p50 215 / 209 ms against 51 / 83 ms); reports of 2019, 100 a page, 13.5 / 14 against 26 / 18
# req/s (p50 1,151 / 1,096 ms against 571 / 983 ms). Sync workers hold a connection each and close keep-alive ones;
# threads overlap the database's time with another request's Python.
WORKERS ?= $(or $(WEB_CONCURRENCY),3)
THREADS ?= 4

.PHONY: help setup run test test-sqlite test-postgres lint format serve migrate messages bench mutants

help:
	@echo "make run    serve the app on the embedded SQLite database at http://$(HOST):$(PORT)"
	@echo "make test   ruff, then the whole test suite on SQLite and on a throwaway PostgreSQL cluster"
	@echo "make serve  production: DJANGO_DEBUG=0, migrations applied, static collected, gunicorn on $(HOST):$(PORT)"
	@echo "make mutants  mutation testing of the permission rules, selectors and services (hours)"
	@echo "make bench  the benchmark on PostgreSQL at the large scale (about 15 minutes): writes bench/RESULTS.md on a quiet machine"

# The virtual environment, rebuilt when pyproject.toml changes. The .pth file makes the project's apps and
# tests importable from any working directory (pytest plugins, gunicorn, manage.py).
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	echo "$(CURDIR)" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/planpromo-root.pth"
	touch $@

# The translation catalogues: locale/*/django.po are committed, the .mo files are compiled here (gettext's msgfmt,
# through Django's compilemessages) whenever a .po is newer.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
$(MO_FILES): %.mo: %.po $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var
	touch $(MO_FILES)

setup: $(VENV)/.installed $(MO_FILES)

# After changing a translatable string: update the catalogues, translate the new entries, then `make setup`.
messages: setup
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var \
		--ignore=static --ignore=tests --ignore=test-artifacts

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_plan

# Demo accounts (admin, pad, pdd, guangdong, hunan, tianjin, analyst) with a spread of 2012 reports: their password
# is DEMO_PASSWORD if set, else one generated and printed on the first run.
# The task worker (django-tasks-db's db_worker: renders the annual summary PDF, and any other background task) runs
# beside the web server and stops with it.
run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

# Production: needs DJANGO_SECRET_KEY (and DATABASE_URL, DJANGO_ALLOWED_HOSTS): see "Production" in README.md.
# whitenoise serves the collected static files from the gunicorn workers; logs are JSON lines on stdout.
serve: export DJANGO_DEBUG = 0
# `migrate` also creates the shared cache's table (CACHE_URL unset: the database cache). gunicorn's limits and
# timeouts are in planpromo/gunicorn_conf.py. The task worker runs beside gunicorn and stops with it.
serve: setup
	$(PY) manage.py check --deploy
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) -m gunicorn planpromo.wsgi -c python:planpromo.gunicorn_conf --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--worker-class gthread --threads $(THREADS)

# The benchmark (bench/run.py): a throwaway PostgreSQL cluster, `generate_data --scale large`, the app under gunicorn
# as in production and its limits, driven by wrk (installed with apt-get when missing). BENCH_ARGS: --duration 10,
# --workers N, --no-write, --force (write RESULTS.md on a busy machine), --growth (40 plan-years, 200,000 reports).
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-sqlite: setup
	PLANPROMO_TEST_DB=sqlite $(PY) -m pytest

# In CI the PostgreSQL run is mandatory; elsewhere it is skipped, loudly, when the server binaries are missing.
test-postgres: setup
	@if [[ "$${CI:-}" == "true" ]] || command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		PLANPROMO_TEST_DB=postgres $(PY) -m pytest; \
	else \
		echo "WARNING: PostgreSQL server binaries not found: the PostgreSQL run is SKIPPED (apt-get install postgresql)"; \
	fi

test: lint test-sqlite test-postgres

# Mutation testing (mutmut; [tool.mutmut] in pyproject.toml) of tracking/permissions.py, selectors.py and services.py
# against the tests of the workflow and the permissions, on SQLite. Not part of `make test`: about 740 mutants, some
# hours on two busy cores (MUTMUT_CHILDREN=4 where there are more). Lists the surviving mutants at the end
# (`.venv/bin/mutmut show <name>` shows one); a rerun after a change only tests what changed.
MUTMUT_CHILDREN ?= 2
mutants: setup
	rm -rf mutants
	PLANPROMO_TEST_DB=sqlite $(VENV)/bin/mutmut run --max-children $(MUTMUT_CHILDREN)
	$(VENV)/bin/mutmut results
