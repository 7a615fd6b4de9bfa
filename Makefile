# The two commands of the README. Everything else is a step they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench install install-test system-packages-run system-packages-test

run: system-packages-run install
	$(BIN)/python -m tanggap.demo

test: system-packages-test install-test
	$(BIN)/python -m pytest -q -ra

bench: install-test  # every figure of issue 10 beside its floor; see `python -m benchmarks --help`
	$(BIN)/python -m benchmarks

# Debian packages (fonts, WordPress, Chromium): apt-get as root, else the exact command to run.
system-packages-run:
	$(PYTHON) -m tanggap.system_packages run

system-packages-test:
	$(PYTHON) -m tanggap.system_packages test

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
