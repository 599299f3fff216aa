# The two commands: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate demo messages check-deploy clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=python3.11).")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo_data

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ — stop with Ctrl+C"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

# Regenerate the translation catalogues after changing strings (needs GNU gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=p2c_portal.settings.production \
	DJANGO_SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH \
	ALLOWED_HOSTS=p2c.example.org DATABASE_URL=postgres://u:p@localhost/p2c \
	REDIS_URL=redis://localhost:6379/0 EMAIL_URL=smtp://localhost:25 \
	$(PY) manage.py check --deploy --fail-level WARNING

# Benchmark of the public site (needs PostgreSQL, Redis and Debian's wrk): see BENCHMARKS.md.
.PHONY: bench
bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var/static
