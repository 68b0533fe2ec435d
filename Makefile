# adlab: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
ROWS ?= 1000000
ACCOUNTS ?= 20
OUT ?= data/raw
TRUTH ?= data/accounts-demo-truth.json
# The Python code that lint, format and the pre-commit hooks look after.
CODE := src pipelines tests bench dev

export PATH := $(BIN):$(PATH)
export GX_ANALYTICS_ENABLED := False
export DVC_NO_ANALYTICS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.DEFAULT_GOAL := help
.PHONY: help setup report test lab lint format format-check typecheck sample accounts-demo bench bench-accounts clean

help:  ## Show this list of targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "adlab needs Python 3.11+"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name adlab --display-name "adlab" > /dev/null
	@touch $(STAMP)

setup: $(STAMP)  ## Create or update .venv from requirements.lock (skipped when up to date)

report: $(STAMP)  ## Run the pipeline (dvc repro) and print where the reports are
	$(BIN)/dvc repro
	@echo "Reports: $(abspath reports/index.html)"

test: $(STAMP)  ## Run the whole test suite
	$(BIN)/python -m pytest

lab: $(STAMP)  ## Open JupyterLab on notebooks/explore.ipynb with the project's `adlab` kernel
	cd notebooks && $(BIN)/jupyter lab explore.ipynb

lint: $(STAMP)  ## Check code style with ruff
	$(BIN)/ruff check $(CODE)

format: $(STAMP)  ## Format the code with ruff (what the pre-commit hook does)
	$(BIN)/ruff format $(CODE)

format-check: $(STAMP)  ## Fail when `make format` would change a file (CI runs this)
	$(BIN)/ruff format --check $(CODE)

typecheck: $(STAMP)  ## Check types with mypy (src/adlab and pipelines/; settings in pyproject.toml)
	$(BIN)/mypy

sample: $(STAMP)  ## Regenerate the embedded sample exports in data/sample/
	$(BIN)/python -m adlab.demo --out data/sample

accounts-demo: $(STAMP)  ## Write ACCOUNTS made-up shops (default 20) into OUT/<shop>/ (default data/raw), truth in TRUTH
	$(BIN)/python -m adlab.demo --accounts $(ACCOUNTS) --out $(OUT) --truth $(TRUTH)

bench: $(STAMP)  ## Time the data stages on ROWS Meta rows (default 1000000) -> bench/results.json
	$(BIN)/python bench/run.py --rows $(ROWS)

# 200 accounts unless ACCOUNTS is given (its default of 20 is accounts-demo's).
bench-accounts: $(STAMP)  ## Time the data stages on ACCOUNTS shops (default 200) on 1 and 2 Dask workers -> bench/accounts.json
	$(BIN)/python bench/accounts.py --accounts $(if $(filter file,$(origin ACCOUNTS)),200,$(ACCOUNTS)) --rows $(ROWS)
