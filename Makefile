# The two commands of the README. Everything else is a step they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench install install-test

run: install
	$(BIN)/python -m tanggap.demo

test: install-test
	$(BIN)/python -m pytest -q -ra

bench: install-test  # every figure of issue 10 beside its floor; see `python -m benchmarks --help`
	$(BIN)/python -m benchmarks

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@
