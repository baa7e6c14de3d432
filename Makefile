# Governed publishing for municipal Wagtail sites.
# `make run` sets up everything and serves both demo municipalities; `make test` runs the suite.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# pywb, the WARC replay tool of the archive's replay test, in a virtualenv of its own (its pins
# conflict with the project's).
PYWB := var/pywb
PYWB_STAMP := $(PYWB)/.installed-$(shell cksum < requirements-replay.txt | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_ARGS ?=
# Show a municipality in another of its languages: make run DEMO_LANGUAGE=alvdal=nn (nynorsk).
DEMO_LANGUAGE ?=

.DEFAULT_GOAL := help
.PHONY: help install pywb messages migrate demo run test test-fast fuzz bench bench-load bench-scale lint check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## Create .venv and install the pinned dependencies

$(PYWB_STAMP): requirements-replay.txt
	@test -x $(PYWB)/bin/python || $(PYTHON) -m venv $(PYWB)
	$(PYWB)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-replay.txt
	@rm -f $(PYWB)/.installed-* && touch $@

pywb: $(PYWB_STAMP) ## Create var/pywb: pywb, which replays the archive's WARC files in the tests

messages: $(STAMP) ## Compile the bokmål, nynorsk and Swedish translations
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore "$(VENV)" --ignore ".git" -v 0

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput -v 0

demo: migrate messages ## Load both municipality profiles and their demo content (idempotent)
	$(PY) manage.py load_demo --port $(PORT) $(if $(DEMO_LANGUAGE),--language $(DEMO_LANGUAGE))
	$(PY) manage.py update_index -v 0  # a database made before the search knew word forms

run: demo ## Set up everything and serve http://alvdal.localhost:8000 and http://avesta.localhost:8000
	@echo "Serving on http://$(HOST):$(PORT)/ (alvdal.localhost and avesta.localhost; localhost shows Alvdal)"
	WAGTAILADMIN_BASE_URL=http://localhost:$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: messages $(PYWB_STAMP) ## Run the whole test suite (DATABASE_URL selects PostgreSQL; default SQLite)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py test tests --noinput $(TEST_ARGS)

test-fast: messages $(PYWB_STAMP) ## The suite without the browser and slow tests (tags browser, slow): a couple of minutes
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py test tests --noinput --exclude-tag browser --exclude-tag slow $(TEST_ARGS)

fuzz: messages ## Many more random step sequences of both municipalities' people than CI runs (FUZZ_EXAMPLES, FUZZ_STEPS)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-400} FUZZ_STEPS=$${FUZZ_STEPS:-40} DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py test tests.publishing.test_invariants --noinput

bench: $(STAMP) ## Benchmarks: text checks, document checks (and pypdf/pdfminer.six), uploads (checked/Wagtail's), the editor panel's endpoint, the admin (governed/plain; four actions in Chromium), approvals, public pages (governed/plain, gunicorn), site search (ours/Wagtail's), the legal archive (capture cost, size, publish on/off)
	$(PY) -m bench.text_checks
	$(PY) -m bench.document_checks
	$(PY) -m bench.pdf_libraries
	$(PY) -m bench.document_upload
	$(PY) -m bench.governance_report
	$(PY) -m bench.admin_ratio
	$(PY) -m bench.admin_browser
	$(PY) -m bench.approval_time
	$(PY) -m bench.archive_capture
	$(PY) -m bench.public_render
	$(PY) -m bench.site_search

bench-load: $(STAMP) ## Publishing under public load on PostgreSQL (DATABASE_URL=postgres://...): gunicorn, wrk, 8 publishers
	$(PY) -m bench.publishing_load

bench-scale: $(STAMP) ## The admin on 50,000 pages and 500,000 revisions (DATABASE_URL=postgres://...; about 25 minutes)
	$(PY) -m bench.data_scale

lint: $(STAMP) ## ruff
	$(VENV)/bin/ruff check .

check: $(STAMP) ## Django system checks and missing migrations
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run --noinput

clean: ## Remove the virtualenv, the SQLite database and compiled files
	rm -rf $(VENV) db.sqlite3 static_collected
	find . -name '*.mo' -not -path './.git/*' -delete
