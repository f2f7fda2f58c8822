# Two commands matter: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test test-slow bench setup index system-deps lint format clean help reader

help:
	@echo "make run    - set up (venv, install, index) and start the app on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make bench  - run every benchmark and print one table"
	@echo "make test-slow - the longer reliability variants (marked slow)"
	@echo "make lint   - ruff and mypy"
	@echo "make reader - retrain the trained reader on tests/heldout and print its leave-one-set-out accuracy"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

index: setup
	$(VENV)/bin/advisor index

system-deps:
	@bash scripts/ensure-system-deps.sh

run: index
	$(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

test: setup system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

bench: index system-deps
	$(PY) -m benchmarks

# Longer reliability variants (5,000 random chat turns, 20 separate processes).
test-slow: setup system-deps
	$(VENV)/bin/pytest -m slow

# After adding a held-out set or changing the rules: retrain agent/data/reader.npz (~8 min).
reader: setup
	$(PY) -m agent.reader_training --cv

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format agent tests benchmarks app.py

clean:
	rm -rf .advisor tests/artifacts .pytest_cache .mypy_cache .ruff_cache
