# mysearch: `make run` installs and starts the app; `make test` installs and runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench eval clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	# torch is pinned to the CPU build in pyproject.toml, so pip never pulls a CUDA build
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/mysearch add samples >/dev/null
	$(BIN)/mysearch repl

test: install
	$(BIN)/ruff check mysearch tests benchmarks
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python benchmarks/run_all.py

# Retrieval quality on the dev sets in ../shared/eval (full size: SciFact takes ~40 min to embed on
# 2 cores the first time; re-runs reuse the indexed corpus under $(EVAL_HOME)).
EVAL_DATA ?= ../shared/eval
EVAL_HOME ?= $(HOME)/.cache/mysearch-eval
eval: install
	mkdir -p bench-results
	$(BIN)/mysearch --home $(EVAL_HOME) eval $(EVAL_DATA)/korquad/korquad.json --json | tee bench-results/eval-korquad.json
	$(BIN)/mysearch --home $(EVAL_HOME) eval $(EVAL_DATA)/xquad/xquad.json --json | tee bench-results/eval-xquad.json
	$(BIN)/mysearch --home $(EVAL_HOME) eval $(EVAL_DATA)/scifact --json | tee bench-results/eval-scifact.json

clean:
	rm -rf $(VENV) bench-results .pytest_cache
