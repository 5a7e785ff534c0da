# The one task runner. `make serve` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The stack publishes 8000, 5173, 8080, 5432 and 6379; the docs site keeps clear of them.
SERVE_ADDR ?= 127.0.0.1:8765

# Builds trust what the host trusts: its CA bundle reaches pip and npm as the BuildKit
# secret `extra_ca` (never a layer). Point it elsewhere with EXTRA_CA_BUNDLE=path.
EXTRA_CA_BUNDLE ?= $(wildcard /etc/ssl/certs/ca-certificates.crt)
export EXTRA_CA_BUNDLE
# Arguments for `make measure`, e.g. MEASURE_ARGS="--tries 3" (reload edits timed per figure).
MEASURE_ARGS ?=

export COMPOSE_BAKE := false
export DOCKER_BUILDKIT := 1
export PYTHON := $(PY)
# The tools `make setup` installs (task, for the pages' Task tabs) reach the pages' shells,
# after the reader's own.
export PATH := $(PATH):$(CURDIR)/$(VENV)/bin
# Material's end-of-life banner on every build; the Zensical workflow tracks the successor.
export NO_MKDOCS_2_WARNING := 1

.PHONY: help setup provision serve build test test-unit test-container test-container-beside test-container-alone test-beside-pages test-docs record test-browser test-arm64 lint measure measure-installers note bench chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || python3 -m venv $(VENV)
	@# pip's notes about this machine's missing local indexes are noise, not news.
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2> >(grep -v 'is ignored: it is neither' >&2)
	@touch $@

setup: $(STAMP) ## create .venv and install the Python dependencies

provision: setup ## make sure a Docker engine, Compose v2, the base image and the page sandbox's tools exist
	@bash docker/setup/engine.sh
	@bash docker/setup/compose-plugin.sh
	@bash docker/setup/sandbox-tools.sh
	@bash docker/setup/base-image.sh

serve: setup ## serve the site with live reload on http://127.0.0.1:8765
	@$(PY) -m papertrade_docs.serve_check $(SERVE_ADDR)
	$(VENV)/bin/mkdocs serve --dev-addr $(SERVE_ADDR) --livereload

build: setup ## build the site into site/ (strict)
	$(VENV)/bin/mkdocs build --strict

# Side by side on every CPU (pytest-xdist); UNIT_WORKERS=0 for one after another.
UNIT_WORKERS ?= auto
test-unit: setup ## fast tests, no Docker
	$(PY) -m pytest -q -m 'not container and not browser' -n $(UNIT_WORKERS) tests

# Modules side by side, one per pytest-xdist worker (each has its own project, image names
# and ports; CONTAINER_WORKERS=0 for one after another), then those marked `alone`, which
# need the engine to themselves (a swarm; what appears on the engine), one at a time.
CONTAINER_WORKERS ?= auto
CONTAINER_BESIDE = $(PY) -m pytest -q -m 'container and not alone' -n $(CONTAINER_WORKERS) --dist loadfile tests
CONTAINER_ALONE = $(PY) -m pytest -q -m 'container and alone' tests
test-container: provision chromium ## tests against real containers (the production page in chromium included)
	$(CONTAINER_BESIDE)
	$(CONTAINER_ALONE)

# Every page of the site, progress notes aside (they are dated records, not instructions);
# the pages beside them (writing-a-note.md) run like the rest.
DOCS_PAGES = $(filter-out docs/progress/,$(wildcard docs/*.md docs/*/)) $(wildcard docs/progress/*.md)

# Pages run side by side, each in its own sandbox: one pytest-xdist worker per CPU
# (DOCS_WORKERS=2 for two, DOCS_WORKERS=0 for one page after another). DOCS_SHARD=I/N runs
# the I-th of N shares of the pages, balanced by their recorded durations, as the CI matrix
# does; `python -m execdocs coverage merge` joins the shards' summaries (DOCS_COVERAGE).
# EXECDOCS_FLAGS adds options, e.g. --execdocs-record on a CI runner.
DOCS_WORKERS ?= auto
DOCS_SHARD ?=
DOCS_COVERAGE ?= build/execdocs/coverage.json
EXECDOCS_FLAGS ?=
# How the pages report: make test passes DOCS_REPORT='-v --durations=0', a line as each
# page ends, then every page's time.
DOCS_REPORT ?= -q
RUN_PAGES = $(PY) -m pytest $(DOCS_REPORT) --execdocs --execdocs-coverage-json $(DOCS_COVERAGE) \
	$(if $(DOCS_SHARD),--execdocs-shard $(DOCS_SHARD)) $(EXECDOCS_FLAGS)

test-docs: provision chromium ## run every block of every page against real containers (execdocs), on every CPU
	$(RUN_PAGES) -n $(DOCS_WORKERS) $(DOCS_PAGES)

# The same run, which also writes what every console command printed and how each page
# ran into docs/data/recorded-output.json (mkdocs.yml names it): the site shows it in place
# of the matcher's patterns, and the landing page and each page's footer quote it. test-docs
# leaves the file alone: a test run changes no tracked file (CI, a colleague's checkout),
# and the published proof changes only when someone means to commit a new one;
# tests/unit/test_recordings_committed.py says when a page changed since its recording.
# One page after another: the durations it records are a page's own (what a reader waits),
# and they balance the shards of DOCS_SHARD.
record: provision chromium ## run every page as test-docs does, one at a time, and commit the proof: docs/data/recorded-output.json
	$(RUN_PAGES) --execdocs-record $(DOCS_PAGES)

# Lint first (seconds, and most slips). Then two lines at once: every page, and beside
# them the container tests that run side by side (holding the engine shared, so the one
# page marked `alone` waits for them: tests/container/conftest.py), then the unit tests
# and the browser checks, which need no engine and so run while that page has it. Last,
# the container tests that need the engine to themselves, also when a part before failed.
# The pages print as they go, the other line from its log when it ends; -k lets one line
# end when the other fails.
test: provision chromium ## set up what is missing, then run every test
	@$(MAKE) --no-print-directory lint
	@echo "make test: every page (a line as each ends), and beside them the container tests, then the unit tests and browser checks (printed when they end; meanwhile in $(BESIDE_LOG))"
	@failed=0; \
	$(MAKE) --no-print-directory -k -j2 test-docs test-beside-pages DOCS_REPORT='-v --durations=0' || failed=1; \
	$(MAKE) --no-print-directory test-container-alone || failed=1; \
	exit $$failed

# make test's parts (not listed by `make help`): test-container's two halves, and what
# runs beside the pages (each part runs even when the one before failed), written into a
# log and printed whole when the last part ends, so that it never interleaves with the
# pages' lines.
BESIDE_LOG ?= build/test-beside-pages.log
test-container-beside: provision chromium
	$(CONTAINER_BESIDE)
test-container-alone: provision chromium
	$(CONTAINER_ALONE)
test-beside-pages: provision chromium
	@mkdir -p $(dir $(BESIDE_LOG)); failed=0; \
	{ $(MAKE) --no-print-directory test-container-beside || failed=1; \
	  $(MAKE) --no-print-directory test-unit || failed=1; \
	  $(MAKE) --no-print-directory test-browser || failed=1; } > $(BESIDE_LOG) 2>&1; \
	cat $(BESIDE_LOG); exit $$failed

lint: setup ## every linter, fast, no Docker (hadolint, shellcheck, portability, yamllint, workflow schema, ruff, codespell, notes)
	$(PY) -m papertrade_docs.lint

chromium: ## make sure Debian's chromium and axe-core (npm) are there for the browser checks
	@bash tests/site/ensure-chromium.sh
	@bash tests/site/ensure-axe.sh

test-browser: setup chromium ## the built site in headless chromium, WCAG 2.2 AA (axe) included; screenshots in artifacts/screenshots/
	$(PY) -m pytest -q -m browser tests/site

measure: provision ## build every image, time the stack, write docs/data/measurements.json
	$(PY) -m papertrade_docs.measure $(MEASURE_ARGS)

# Slow (emulation), so outside `make test`: qemu-user-static registered with binfmt_misc,
# an arm64 base image bootstrapped under its own name, the six images built for arm64
# under their own names, each one's version and health smoke run under emulation, and
# their sizes written into docs/data/measurements.json beside the native figures.
test-arm64: provision ## build, smoke and size every image for linux/arm64 under emulation (slow: see README)
	@bash docker/setup/emulation.sh
	@BASE_ARCH=arm64 BASE_IMAGE=papertrade-arm64/debian:trixie-slim bash docker/setup/base-image.sh
	$(PY) -m papertrade_docs.measure --platform linux/arm64 $(ARM64_ARGS)

measure-installers: provision ## one-off: pip against uv on the backend's lock, 3 cold builds each, into measurements.json
	$(PY) -m papertrade_docs.measure --installers

bench: provision ## runner speed (docs/data/bench.json); isolation's cost, pages serial vs two workers (docs/data/bench_docs.json)
	$(PY) -m execdocs.bench --json docs/data/bench.json
	$(PY) -m papertrade_docs.measure.bench_docs --json docs/data/bench_docs.json

note: setup ## new progress note: make note TITLE="..." [AUTHOR=key] [CATEGORY=Name]
	@# Read from the environment, so quotes in a title reach Python intact.
	@test -n "$${TITLE:-}" || { echo 'note: give it a title: make note TITLE="What this note records"' >&2; exit 2; }
	@$(PY) -m papertrade_docs.notes new --title "$$TITLE" $${AUTHOR:+--author "$$AUTHOR"} $${CATEGORY:+--category "$$CATEGORY"}
