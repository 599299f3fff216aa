# The two commands: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Where `make run` serves (`make run PORT=8001`); the settings read them too, so that links in
# emails and exports (SITE_URL) point at the same address.
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test lint migrate demo messages translated-locales check-deploy clean port-free

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=python3.11).")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo_data

# Checked before anything is installed, so that a taken port is said at once, not after the set-up.
port-free:
	@$(PYTHON) -c 'import socket, sys; s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1].strip("[]"), int(sys.argv[2])))' "$(HOST)" "$(PORT)" 2>/dev/null \
	  || { echo "Port $(PORT) on $(HOST) is already in use. Stop what uses it, or choose another port: make run PORT=8001" >&2; exit 1; }

run: port-free demo
	@echo "Serving on http://$(HOST):$(PORT)/ — stop with Ctrl+C"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs in TEST_WORKERS processes (pytest-xdist; 0 runs it in this one), each with its own
# test database, Redis database and files (p2c_portal/settings/test.py): `make test TEST_WORKERS=0`.
# Work stealing: a worker that is done takes tests from the other's queue, so that the slow
# browser journeys at the end of the collection do not keep one worker busy while the other idles.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) $(if $(filter-out 0,$(TEST_WORKERS)),--dist worksteal) $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

# The catalogues to keep: one per language of settings.LANGUAGES but English, the source, in
# its locale directory (zh-hans lives in locale/zh_Hans). Read from the settings, so that a new
# language needs no change here. `make -s translated-locales` prints them (.ci/run checks each).
TRANSLATED_LOCALES = $(shell $(PY) manage.py shell -v 0 -c "from django.conf import settings; from django.utils.translation import to_locale; print(' '.join(to_locale(code) for code, _name in settings.LANGUAGES if code != 'en'))")
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=bench

# Regenerate the translation catalogues after changing strings (needs GNU gettext); a language
# without a catalogue yet gets one, with every string to translate.
messages: $(STAMP)
	$(PY) manage.py makemessages $(foreach locale,$(TRANSLATED_LOCALES),-l $(locale)) --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages --ignore=.venv

translated-locales: $(STAMP)
	@echo $(TRANSLATED_LOCALES)

check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=p2c_portal.settings.production \
	DJANGO_SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH \
	ALLOWED_HOSTS=p2c.example.org DATABASE_URL=postgres://u:p@localhost/p2c \
	REDIS_URL=redis://localhost:6379/0 EMAIL_URL=smtp://localhost:25 \
	$(PY) manage.py check --deploy --fail-level WARNING

# Benchmark of the public site (needs PostgreSQL, Redis and Debian's wrk), then of the spreadsheet
# import (BENCH_IMPORT=0 skips it): see BENCHMARKS.md.
.PHONY: bench
bench: $(STAMP)
	$(PY) bench/run.py
	@if [ "$${BENCH_IMPORT:-1}" != 0 ]; then $(PY) bench/imports.py; fi

# The secretariat's import of 2,000- and 20,000-row roundtable files alone (PostgreSQL, Redis):
# preview and import times, peak memory, SQL statements, a profile. See BENCHMARKS.md.
.PHONY: bench-import
bench-import: $(STAMP)
	$(PY) bench/imports.py

# The 5-minute mixed load alone (members saving and submitting, the secretariat publishing, a
# worker sending emails, anonymous browsing): see BENCHMARKS.md.
# Emails a minute per `emails` worker (PostgreSQL, Redis): a real worker, a local SMTP server,
# 1 and 4 processes, with and without SMTP latency. See BENCHMARKS.md, "Emails per worker".
.PHONY: bench-emails
bench-emails: $(STAMP)
	$(PY) bench/emails.py

.PHONY: bench-mixed
bench-mixed: $(STAMP)
	$(PY) bench/run.py --mixed-only

clean:
	rm -rf $(VENV) var/static
