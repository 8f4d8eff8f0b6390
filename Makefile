# The two commands a new user runs: `make dev` and `make test`. Each installs what it needs.
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen

.PHONY: dev test lint unit conformance sync tools soak

tools:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

sync: tools
	@$(UV) sync --frozen --quiet

dev: sync
	$(RUN) segue dev

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

unit: sync
	$(RUN) pytest tests/unit

conformance: sync
	$(RUN) pytest tests/conformance

test: lint
	@for f in statemachine/*.asl.json; do $(RUN) segue validate "$$f" || exit 1; done
	$(RUN) pytest -n 2 tests

# Many more generated examples than `make test` runs.
soak: sync
	HYPOTHESIS_PROFILE=soak $(RUN) pytest tests/unit -k property
