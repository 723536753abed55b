#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: install mysearch with the portable llama.cpp build (CUDA when nvcc is
# there, Vulkan when glslc and the Vulkan headers are), then record what the GPU buys.
#   benchmarks/gpu_check.sh OUT_DIR [WHEEL]
# WHEEL: a llama-cpp-python wheel built before (packaging/llama/build-wheel.sh), to skip the build.
# Writes OUT_DIR/doctor.json (devices, layers offloaded, speed), OUT_DIR/devices.json (the same model on
# the CPU and on the GPU side by side) and OUT_DIR/answers-{cpu,gpu}.json (answer quality on XQuAD, 20
# questions each way). Meant to finish within 10 minutes once the wheel exists.
set -euo pipefail
out=${1:?usage: gpu_check.sh OUT_DIR [WHEEL]}
mkdir -p "$out"
cd "$(dirname "$0")/.."
nvidia-smi -L | tee "$out/nvidia-smi.txt" || echo "no nvidia-smi" | tee "$out/nvidia-smi.txt"
if [ -n "${2:-}" ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --no-deps "$2"
fi
make install
export PYTHONUNBUFFERED=1
home=$(mktemp -d)
.venv/bin/mysearch --home "$home" doctor --json | tee "$out/doctor.json"
.venv/bin/python benchmarks/bench_answer.py --devices-only > "$out/devices.json"
data=../shared/eval/xquad/xquad.json
if [ -f "$data" ]; then
  for gpu in off auto; do
    MYSEARCH_ANSWER__GPU=$gpu timeout 240 .venv/bin/mysearch --home "$home/$gpu" eval-answers "$data" \
      --articles 4 --questions 14 --unanswerable 6 --json > "$out/answers-$([ $gpu = off ] && echo cpu || echo gpu).json" || true
  done
fi
ls -l "$out"
