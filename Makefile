# eproc: the two commands of the Quick start are `make run` and `make test`; everything else is what they use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export EPROC_DEBUG ?= 1

.PHONY: run test setup lint lock messages bundle migrate demo clean system-packages bench-opening bench-surge bench-upload-floor bench-catalogue bench-log ocds-check

run: setup migrate demo ## Set everything up on SQLite, load the demo data and serve on http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup system-packages ## Set up and run the whole test suite (DATABASE_URL selects PostgreSQL)
	mkdir -p var
	EPROC_DEBUG=0 EPROC_TESTING=1 $(VENV)/bin/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed eproc/static/vendor/age.js messages

$(VENV)/.installed: requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

bundle eproc/static/vendor/age.js: node_modules/.installed assets/age.js
	npm run --silent build

# Compiled with Babel (already a dependency) so that GNU gettext is not needed on the machine.
messages:
	$(VENV)/bin/pybabel compile --domain django --directory eproc/locale --use-fuzzy --statistics 2>&1 | grep -v "^$$" || true

migrate:
	mkdir -p var
	$(PY) manage.py migrate --no-input

demo:
	$(PY) manage.py load_demo

bench-opening: setup system-packages ## Bid opening throughput and memory next to the age CLI (not part of CI)
	$(PY) benchmarks/bench_opening.py $(BENCH_ARGS)

# Starts its own gunicorn on 127.0.0.1 with production settings and creates, then drops, the PostgreSQL database
# eproc_bench_surge (--postgres-url); needs about 8 GB free in the temporary directory at the defaults (removed after).
bench-surge: setup system-packages ## Deadline surge: 300 vendors x 20 MB in the last minute, SQLite and PostgreSQL (not part of CI)
	$(PY) benchmarks/bench_surge.py $(BENCH_ARGS)

# The ceiling under bench-surge: nginx and gunicorn taking 100 x 20 MB with eproc's byte path alone (no Django,
# database or audit); needs about 3 GB free in the temporary directory (removed after).
bench-upload-floor: setup system-packages ## Upload floor: what this machine takes when only the bids' bytes cost anything (not part of CI)
	$(PY) benchmarks/bench_upload_floor.py $(BENCH_ARGS)

# Needs PostgreSQL on 127.0.0.1 for the default backend (DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1/postgres).
bench-catalogue: setup ## Public list, search, tender page and OCDS feed at 100,000 tenders (not part of CI)
	$(PY) benchmarks/bench_catalogue.py $(BENCH_ARGS)

# Same database needs as bench-catalogue (eproc_bench_log, created and dropped).
bench-log: setup ## Bid transparency log at 1,000,000 receipts: checkpoint, proofs, append (not part of CI)
	$(PY) benchmarks/bench_log.py $(BENCH_ARGS)

# The OCDS feeds written by the test suite (var/ocds-feed/: the lifecycle stories and the demo data) checked with the
# official data review library, offline, against the vendored OCDS 1.1.5 schemas and extensions of ../shared (issue
# 8). The checker has its own virtualenv: its dependency tree (libcoveocds, ZODB...) is not the application's.
SHARED ?= $(firstword $(wildcard ../shared /work/shared))
ocds-check: ## Validate the OCDS feeds the tests wrote with ../shared/tools/ocds_check.py (run make test first)
	@test -f "$(SHARED)/tools/ocds_check.py" || { echo "ocds-check needs ../shared (tools/ocds_check.py, ocds/1.1.5); set SHARED=..."; exit 1; }
	@test -f var/ocds-feed/demo-releases.json || { echo "No demo feed in var/ocds-feed/: run make test first"; exit 1; }
	test -x .venv-ocds/bin/python || { $(PYTHON) -m venv .venv-ocds && .venv-ocds/bin/pip install --quiet -r "$(SHARED)/tools/ocds-requirements.txt"; }
	.venv-ocds/bin/python "$(SHARED)/tools/ocds_check.py" "$(SHARED)/ocds/1.1.5" var/ocds-feed/*.json

lint: setup
	$(VENV)/bin/ruff check .

# Browser tests drive the system Chromium (Playwright never downloads a browser here); interoperability tests
# use the age CLI; WeasyPrint needs Pango; the surge benchmark (and its smoke test) puts nginx in front, as
# production does. Installed from Debian when running as root, otherwise explained.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v age >/dev/null 2>&1 || missing="$$missing age"; \
	command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "The tests need these Debian packages: sudo apt-get install$$missing"; exit 1; fi; \
	fi

lock: ## Re-pin the Python dependency tree after editing pyproject.toml
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules eproc/static/vendor var
