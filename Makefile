# Pairwise: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= site.settings.dev

.PHONY: run test install install-dev browser checker serve migrate demo lint format check lock lock-check clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pairwise needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The lock files pin every package with its hashes (`make lock` writes them
# from requirements*.in). The .pth line makes the project's site/ folder
# importable as `site` for every tool in the virtualenv (see projectsite.py).
$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "pairwise.pth").write_text("$(CURDIR)\nimport projectsite\n")'
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

# The site and one task worker (scheduled publishing, e-mail), stopped together
# by one Ctrl+C. If either stops on its own (a worker that crashes, say), the
# other is stopped too and `make run` exits with its status, its error above.
run: SHELL := /bin/bash
# The demo e-mails a notification left unseen for a minute, not ten.
run: export EMAIL_NOTIFICATION_DELAY ?= 60
run: demo
	@echo ""
	@echo "  Pairwise is running at http://$(HOST):$(PORT)/"
	@echo "  Sign in with any demo account; the password is: pairwise-demo"
	@echo "    editor  (Editors: reviews, publishes, curates, moderates)"
	@echo "    amira, ben  (a mentor pair: writes posts and submits them)"
	@echo "    sam  (staff: reads, follows, comments)"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/   Stop with Ctrl+C."
	@echo "  A task worker runs beside the site: scheduled posts go live within a minute."
	@echo ""
	@trap 'stopping=1; kill -TERM $$site $$worker 2>/dev/null' INT TERM; \
	$(PY) manage.py run_worker & worker=$$!; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) --ping-interval 15 --ping-timeout 15 site.asgi:application & site=$$!; \
	wait -n $$site $$worker; status=$$?; \
	if [ -z "$$stopping" ] && [ "$$status" != 0 ] && ! kill -0 $$worker 2>/dev/null; then \
	  echo "The task worker stopped (exit $$status); stopping the site too."; fi; \
	kill -TERM $$site $$worker 2>/dev/null; wait; exit $$status

# Browser tests need Debian's Chromium; install it when apt can.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "WARNING: could not install chromium; browser tests will skip"; \
	  else echo "WARNING: chromium is not installed and apt is not usable; browser tests will skip"; fi; }

# The Nu HTML checker (vnu.jar, run with the machine's Java) from the npm
# registry, at the version and hash of package-lock.json. Its install script
# is not run: the jar is in the package. Without npm the HTML tests skip.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "WARNING: npm is not installed; the HTML checker tests will skip"; fi

checker: node_modules/.installed

# The whole suite. Tests that start no server run in TEST_PROCESSES processes
# side by side (pytest-xdist, a test file per process at a time); those on a
# transactional database (each empties the database when it ends)
# next, side by side too; last, in one process, the browser, fault and
# end-to-end tests, which start servers of their own (one stops PostgreSQL).
# SERVER_TESTS chooses which of the last (e.g. SERVER_TESTS="e2e or faults").
# With PYTEST_ARGS (e.g. PYTEST_ARGS=tests/blog), one plain run of what it names.
TEST_PROCESSES ?= 2
SERVER_TESTS ?= browser or e2e or faults
test: install-dev browser checker
ifeq ($(strip $(PYTEST_ARGS)),)
	DJANGO_SETTINGS_MODULE=site.settings.test $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile \
	  -m "not (browser or e2e or faults or transactional)"
	DJANGO_SETTINGS_MODULE=site.settings.test $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile \
	  -m "transactional and not (browser or e2e or faults)"
	DJANGO_SETTINGS_MODULE=site.settings.test $(PY) -m pytest -m "$(SERVER_TESTS)"
else
	DJANGO_SETTINGS_MODULE=site.settings.test $(PY) -m pytest $(PYTEST_ARGS)
endif

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Compile requirements*.in into the lock files, every package pinned and hashed.
lock: install-dev
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

lock-check: install-dev
	$(PY) .ci/check_lock.py

check: install-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache
