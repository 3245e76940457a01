# dovetail monorepo tasks. `make test` is the test command; `make demo` the offline tour.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS ?= never
export UV_LINK_MODE ?= copy

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PYTHON_VERSION ?= 3.11
PKG ?=
DOMAIN ?=
PROVIDER ?=
ARGS ?=

.PHONY: help install test test-slow test-matrix test-lowest lint typecheck bench demo health new-package publish-dry clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: ## create .venv with every package, extra and dev tool (bootstraps uv with pip when missing)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.5,<1"
	$(UV) sync --all-packages --all-extras --python $(PYTHON_VERSION)

test: install ## run every test (core, integrations, cross-package) against real local servers
	$(UV) run --no-sync pytest

test-slow: install ## the slow-marked suites at full size: crash consistency (200 kills each), fuzz (10k examples)
	DOVETAIL_FULL_SUITES=1 $(UV) run --no-sync pytest -m slow -p no:cacheprovider

test-matrix: ## the suite on every supported Python found here (pyenv / uv), one .venvs/py3.X each; ARGS= for pytest
	python3 scripts/run_matrix.py -- $(ARGS)

test-lowest: ## the suite with every direct dependency at its declared floor (lowest-direct, Python 3.10); ARGS= for pytest
	python3 scripts/run_matrix.py --lowest -- $(ARGS)

lint: install ## ruff lint + format check, actionlint on the workflows
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync actionlint -no-color .github/workflows/*.yml

typecheck: install ## mypy strict on every package's src/ and tests/, and on the cross-package tests/
	$(UV) run --no-sync python scripts/typecheck.py

bench: install ## run the benchmarks (never part of make test); results in bench/README.md
	$(UV) run --no-sync python bench/run_all.py

demo: install ## ingest the bundled corpus and ask two questions, offline
	$(UV) run --no-sync python scripts/demo.py

health: install ## integration health check (PKG=path/to/package for one)
	$(UV) run --no-sync python scripts/integration_health_check.py $(PKG)

new-package: ## scaffold an integration: make new-package DOMAIN=llms PROVIDER=acme
	$(UV) run --no-sync python scripts/new_package.py --domain "$(DOMAIN)" --provider "$(PROVIDER)"

publish-dry: install ## show what publishing would upload, upload nothing
	bash scripts/publish_packages.sh --dry-run

clean: ## remove build and cache folders
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache
