# Two commands for newcomers: `make run` and `make test`. Each creates .venv as needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test check bench migrate clean

# Installed markers: reinstall only when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[slack,discord]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.run-installed
	$(BIN)/python -m pip install --quiet -e '.[dev,slack,discord]'
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/followup-bot run

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

check: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

migrate: $(VENV)/.run-installed
	$(BIN)/followup-bot migrate

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
