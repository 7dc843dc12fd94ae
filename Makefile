# Two commands for a fresh machine with only Python and make:
#   make demo   -- create .venv, install, run the demo into ./demo-out
#   make test   -- create .venv, install the test extras, lint, run every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench crash clean

$(STAMP): pyproject.toml tools/sheets-emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]' -e 'tools/sheets-emulator[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) run.py demo --out demo-out

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/sheets_cycle.py

crash: $(STAMP)
	$(PY) bench/crash_campaign.py --kills 210

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache
