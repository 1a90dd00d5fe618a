# eocnet: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgresql check bench bench-deps probe browser system-deps icu-dev messages clean

$(STAMP): requirements.lock pyproject.toml | icu-dev
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the locked dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -r requirements.lock
	@$(BIN)/python -m pip install -q --no-deps -e . 2>&1 | grep -v -i -E 'wheel|^ *!!|^$$' || true
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

## run: install, create or migrate the database, load the demo network, serve it
run: install system-deps
	@$(BIN)/eocnet db upgrade
	@EOCNET_BASE_URL=$${EOCNET_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/eocnet demo load
	@EOCNET_BASE_URL=$${EOCNET_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/eocnet serve --host $(HOST) --port $(PORT)

## browser: Debian's Chromium for the browser tests (installed when missing)
browser:
	@test -x $(CHROMIUM) || { echo "installing chromium ..."; \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null; }

## icu-dev: ICU's headers and pkg-config, which PyICU (word segmentation of Thai, Lao,
## Khmer and Burmese for search) is built against: PyPI has no wheel of it
icu-dev:
	@pkg-config --exists icu-i18n 2>/dev/null || { echo "installing ICU headers and pkg-config ..."; \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    libicu-dev pkg-config) >/dev/null; }

## system-deps: what WeasyPrint needs for PDFs (Pango, HarfBuzz subsetting), Noto fonts, and
## pdftoppm (poppler-utils), with which the tests look at the PDFs,
## so that Thai, Khmer, Lao, Myanmar, Tamil and Chinese text renders in PDFs and pages
system-deps:
	@{ ldconfig -p | grep -q libharfbuzz-subset.so.0 && test -d /usr/share/fonts/truetype/noto \
	   && test -d /usr/share/fonts/opentype/noto && command -v pdftoppm >/dev/null \
	   && pkg-config --exists icu-i18n 2>/dev/null; } || { echo "installing Pango, HarfBuzz and Noto fonts ..."; \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk \
	    poppler-utils libicu-dev pkg-config) >/dev/null; }

## test: the whole suite on SQLite, then on PostgreSQL
test: install system-deps browser test-sqlite test-postgresql

test-sqlite: install
	@echo "== test suite on SQLite =="
	@EOCNET_TEST_BACKEND=sqlite $(BIN)/pytest -q

test-postgresql: install
	@echo "== test suite on PostgreSQL =="
	@EOCNET_TEST_BACKEND=postgresql $(BIN)/pytest -q

## check: lint, type-check, and check the layering (import-linter, contracts in pyproject.toml)
check: install
	@$(BIN)/ruff check eocnet tests bench
	@$(BIN)/mypy eocnet
	@$(BIN)/lint-imports

## bench: the performance benchmarks, printed with ratios to their baselines
bench: install
	@$(BIN)/python -m bench

## probe: the security probe of issue 24 at full size (schemathesis with every role,
## the authorisation matrix, the hostile-input corpus) on SQLite, then on PostgreSQL;
## prints cases tried, server errors, schema mismatches and leaks per category
probe: install
	@EOCNET_TEST_BACKEND=sqlite $(BIN)/python -m tests.probe $(PROBE_ARGS)
	@EOCNET_TEST_BACKEND=postgresql $(BIN)/python -m tests.probe $(PROBE_ARGS)

## bench-deps: R with the surveillance package, for the ratios to R in `make bench`
bench-deps:
	@command -v Rscript >/dev/null && Rscript -e 'library(surveillance)' >/dev/null 2>&1 || \
	  { echo "installing R with surveillance and EpiEstim ..."; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	      r-cran-surveillance r-cran-epiestim) >/dev/null; }

## messages: extract translatable text and update every catalogue
messages: install
	@$(BIN)/pybabel extract -F babel.cfg -o eocnet/render/translations/messages.pot --no-location --omit-header -k _ -k t -k N_ -k gettext -k ngettext:1,2 eocnet
	@$(BIN)/pybabel update -i eocnet/render/translations/messages.pot -d eocnet/render/translations --no-fuzzy-matching --omit-header

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
