# Two commands do everything on a fresh machine with Python 3.11-3.13 (no conda needed):
#   make run    execute every notebook with papermill -> figures/, the README's generated blocks, and the briefing pack
#   make test   run the test suite
# Both create .venv the first time. `make run` installs the runtime lock only
# (requirements.lock); `make test` adds the development tools (requirements-dev.lock).
# Windows / no make: python lib/belthaw/setup_cmd.py [--dev] does the same (README).

PYTHON ?= python3
# UTF-8 mode for every Python the Makefile starts: the editable install and the runs work in a
# folder with non-ASCII letters under any locale (LC_ALL=C included).
export PYTHONUTF8 := 1
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
SUM     = $(shell cat $(1) 2>/dev/null | cksum | cut -d' ' -f1)
STAMP     := $(VENV)/.installed-run-$(call SUM,requirements.lock pyproject.toml)
DEV_STAMP := $(VENV)/.installed-dev-$(call SUM,requirements.lock requirements-dev.lock pyproject.toml)

# The named Jupyter kernel the notebooks ask for (metadata.kernelspec.name).
KERNEL      := belthaw
KERNEL_NAME := Python (belthaw)
# Also register it for the user (~/.local/share/jupyter), for Jupyter front-ends outside
# .venv; the copy inside .venv (--sys-prefix) is the one .venv's own Jupyter uses.
USER_KERNEL ?= 1


.PHONY: test-fast run test install install-dev lab kernel nbstripout lint format lock check-lock bench system-deps browser-deps clean

# Runtime only: what `make run` needs. Installed with dependency resolution (no --no-deps):
# the lock pins every package for Linux, macOS and Windows through environment markers.
install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed-*
	$(PIP) -r requirements.lock -e .
	@$(MAKE) --no-print-directory kernel
	@touch $@

# Runtime + development tools (pytest, playwright, jupyterlab, ruff, ...): what `make test` needs.
# Same versions as the runtime lock for every package the two share (make lock).
install-dev: $(DEV_STAMP)

$(DEV_STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed-*
	$(PIP) -r requirements-dev.lock -e '.[dev]'
	@$(MAKE) --no-print-directory kernel
	@$(MAKE) --no-print-directory nbstripout
	@touch $@ $(STAMP) $(LAB_STAMP)

# The git filter that strips notebook outputs on `git add` (attributes in .gitattributes), so
# what JupyterLab autosaves never reaches a commit. Skipped outside a git clone or without nbstripout.
nbstripout:
	@if [ -x $(BIN)/nbstripout ] && git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(BIN)/nbstripout --install --attributes .gitattributes && \
	  git config filter.nbstripout.extrakeys "metadata.kernelspec.env metadata.widgets cell.metadata.execution" && \
	  echo "git filter nbstripout installed (notebook outputs are never committed)"; \
	else echo "nbstripout filter not installed (no git clone or no nbstripout)"; fi

# JupyterLab on top of the runtime, at the dev lock's version (README: Open in JupyterLab).
LAB_STAMP := $(VENV)/.installed-lab-$(call SUM,requirements.lock requirements-dev.lock pyproject.toml)
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG)

$(LAB_STAMP): $(STAMP) requirements-dev.lock
	$(PIP) -c requirements-dev.lock jupyterlab
	@touch $@

kernel:
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_NAME)" >/dev/null
	@if [ "$(USER_KERNEL)" = 1 ]; then \
	  $(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "$(KERNEL_NAME)" >/dev/null; fi
	@echo "Jupyter kernel '$(KERNEL_NAME)' -> $(abspath $(BIN))/python"

# The briefing pack says what changed since the last briefing (BRIEF_SINCE, a day).
BRIEF_SINCE ?= 2025-12-15

run: $(STAMP)
	$(BIN)/belthaw run
	$(BIN)/python tools/data_dictionary.py
	$(BIN)/belthaw brief --since $(BRIEF_SINCE)

# Every test: the fast specification and the notebooks, JupyterLab in Chromium, the Word
# pack in LibreOffice, the repository checks and the slow command checks (-m "" lifts the
# default marker filter in pyproject.toml).
test: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not browser"
	$(BIN)/python -m pytest -m browser -n 0  # JupyterLab alone: a loaded machine loses its kernel

# The plain pytest: the fast specification of the analysis, for a check while editing.
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check lib tests tools benchmarks
	$(BIN)/ruff format --check lib tests tools benchmarks

format: $(DEV_STAMP)
	$(BIN)/ruff format lib tests tools benchmarks

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/run.py

# Regenerate both locks from pyproject.toml ([project] dependencies; the `dev` extra), in a
# scratch venv with uv (the version pinned in the dev lock), then environment.yml, then
# check both locks resolve on Linux, macOS and Windows with Python 3.11-3.13.
# Universal: one file with environment markers for every platform. --fork-strategy fewest:
# one version of a package for every Python where one fits. The dev lock is constrained by
# the runtime lock, so the versions the tests use are the versions `make run` uses.
LOCKENV := build/lockenv
UV_PIN   = $(or $(shell grep -m1 -E '^uv==' requirements-dev.lock 2>/dev/null | cut -d' ' -f1),uv)
UV_COMPILE = $(LOCKENV)/bin/uv pip compile --quiet --no-python-downloads --universal --python-version 3.11 \
	--fork-strategy fewest --custom-compile-command 'make lock'

$(LOCKENV)/bin/uv:
	rm -rf $(LOCKENV) && $(PYTHON) -m venv $(LOCKENV)
	$(LOCKENV)/bin/python -m pip install --quiet --disable-pip-version-check "$(UV_PIN)" packaging

lock: $(LOCKENV)/bin/uv
	$(UV_COMPILE) pyproject.toml --upgrade -o requirements.lock
	$(UV_COMPILE) pyproject.toml --extra dev -c requirements.lock --upgrade -o requirements-dev.lock
	$(PYTHON) tools/sync_env.py
	@$(MAKE) --no-print-directory check-lock

check-lock: $(LOCKENV)/bin/uv
	$(LOCKENV)/bin/python tools/sync_env.py --platforms $(LOCKENV)/bin/uv

# System packages (Debian, as root): chromium for the JupyterLab browser test (driven by
# playwright; never `playwright install`), libreoffice-writer-nogui for the briefing's Word
# output, poppler-utils (pdftotext, pdftoppm) to inspect the briefing PDF.
SYSTEM_PACKAGES := chromium libreoffice-writer-nogui poppler-utils

system-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null

browser-deps: system-deps

clean:
	rm -rf build figures/adhoc
