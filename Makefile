# dasbot: `make run` sets everything up and starts the bot (or the terminal chat); `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-test index bench clean

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

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

index: install
	$(BIN)/dasbot index

# The Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat (answers stdin, ends at EOF).
run: index
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/dasbot serve; else exec $(BIN)/dasbot chat; fi

# ruff's rules and format are checked first (configured in pyproject.toml), then the whole suite runs.
test: install-test lint
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Performance figures (see bench/run.py; `.venv/bin/python bench/run.py --quick` for a ~3 minute run).
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data
