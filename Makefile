# endolab — two-command quick start: `make run` and `make test`.
# Both bootstrap a local toolchain (.tools/, pinned uv) and a virtual environment (.venv/) installed
# from requirements.lock (every package pinned with its hashes: the core, every optional extra —
# endolab[all] — and the dev tools), so a fresh machine needs only python3, pip and git.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.endolab-synced

export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint typecheck pytest smoke install lock clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(STAMP): pyproject.toml requirements.lock | $(UV)
	test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@touch $@

install: $(STAMP)

## The main job: the web app on http://127.0.0.1:8000/ (calculators, widgets, CGM page and the
## trial explorer; the virtual trial is simulated on the first start and cached).
run: $(STAMP)
	$(BIN)/endolab serve

## Every check CI runs: lint, format, strict typing, tests and doctests, and the built wheel
## installed into a fresh virtual environment (no extras, not editable): the core commands answer and
## every command whose extra is missing gives its one-line hint (.ci/smoke-commands).
test: lint typecheck pytest smoke

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

SMOKE := .smoke
smoke: $(STAMP)
	rm -rf $(SMOKE) && mkdir -p $(SMOKE)
	$(UV) build --quiet --wheel --out-dir $(SMOKE)/dist .
	$(UV) venv --quiet --python $(PYTHON) $(SMOKE)/venv
	$(UV) pip install --quiet --python $(SMOKE)/venv/bin/python -c requirements.lock $(SMOKE)/dist/endolab-*.whl
	cd $(SMOKE) && PYTHON=venv/bin/python ENDOLAB=venv/bin/endolab bash ../.ci/smoke-commands
	rm -rf $(SMOKE)

## Re-resolve the lock file after changing dependencies in pyproject.toml (every extra, [all], and
## the dev group; pins already in the file are kept unless a new constraint excludes them).
lock: $(UV)
	$(UV) pip compile pyproject.toml --all-extras --group dev --generate-hashes \
		--python-version 3.11 --no-header --quiet -o requirements.lock

clean:
	rm -rf $(TOOLS) $(VENV) $(SMOKE) .pytest_cache .mypy_cache .ruff_cache
