# dasbot: `make run` sets everything up and starts the bot (or the terminal chat); `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-test ocr ocr-test index bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch is installed first and pinned: the CPU build of 2.13.0 comes from local disk here, while a
# plain `torch` requirement (sentence-transformers') would pull several GB of CUDA packages.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# OCR of scanned PDF pages needs Tesseract with its Danish data, Debian packages: installed (one apt-get update
# first) when missing and we are root on a machine with apt-get; otherwise one line says what to install, and PDFs
# with a text layer are read as before. The tests also render a scanned page with a real font (DejaVu).
OCR_PACKAGES := tesseract-ocr tesseract-ocr-dan
TEST_PACKAGES := $(OCR_PACKAGES) fonts-dejavu-core

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installerer$$missing (Debian) til OCR af scannede PDF-sider ..." >&2; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; } \
			|| echo "Kunne ikke installere$$missing; scannede PDF-sider OCR-læses ikke." >&2; \
	else echo "Scannede PDF-sider OCR-læses ikke: installér Debian-pakkerne$$missing (apt-get install som root)." >&2; fi
endef

ocr:
	$(call apt_install,$(OCR_PACKAGES))

ocr-test:
	$(call apt_install,$(TEST_PACKAGES))

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

index: install ocr
	$(BIN)/dasbot index

# The Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat (answers stdin, ends at EOF).
run: index
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/dasbot serve; else exec $(BIN)/dasbot chat; fi

# ruff's rules and format are checked first (configured in pyproject.toml), then the whole suite runs.
test: install-test ocr-test lint
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Performance figures (see bench/run.py; `.venv/bin/python bench/run.py --quick` for a ~3 minute run). The OCR
# figure draws its scanned pages with Pillow and DejaVu, as the tests do.
bench: install-test ocr-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data
