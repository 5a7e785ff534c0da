# The one task runner. `make serve` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The stack publishes 8000, 5173, 8080, 5432 and 6379; the docs site keeps clear of them.
SERVE_ADDR ?= 127.0.0.1:8765

export COMPOSE_BAKE := false
export DOCKER_BUILDKIT := 1
export PYTHON := $(PY)

.PHONY: help setup provision serve build test test-unit test-container test-docs test-browser lint measure note bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || python3 -m venv $(VENV)
	@# pip's notes about this machine's missing local indexes are noise, not news.
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2> >(grep -v 'is ignored: it is neither' >&2)
	@touch $@

setup: $(STAMP) ## create .venv and install the Python dependencies

provision: setup ## make sure a Docker engine, Compose v2 and the base image exist
	@bash docker/setup/engine.sh
	@bash docker/setup/compose-plugin.sh
	@bash docker/setup/base-image.sh

serve: setup ## serve the site with live reload on http://127.0.0.1:8765
	@$(PY) -m papertrade_docs.serve_check $(SERVE_ADDR)
	$(VENV)/bin/mkdocs serve --dev-addr $(SERVE_ADDR) --livereload

build: setup ## build the site into site/ (strict)
	$(VENV)/bin/mkdocs build --strict

test-unit: setup ## fast tests, no Docker
	$(PY) -m pytest -q -m 'not container and not browser' tests

test-container: provision ## tests against real containers
	$(PY) -m pytest -q -m container tests

test: provision ## set up what is missing, then run every test
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-container
