#!/usr/bin/env bash
# Builds the one portable llama-cpp-python wheel that mysearch ships and tests with:
#   packaging/llama/build-wheel.sh VERSION WHEELHOUSE PYTHON [vulkan] [cuda] [metal]
#
# ggml's backends become modules loaded at run time (GGML_BACKEND_DL): the CPU backend in one variant per
# x86 feature level, the best for the CPU it runs on picked at start (GGML_CPU_ALL_VARIANTS; never
# -march=native), and each GPU backend asked for. A GPU backend whose driver is missing simply does not
# load, so the same wheel runs on every laptop. Two changes to the source, both to halve the build on a
# 2-core machine: the CPU variants are the seven that cover laptops (baseline, SSE4.2, AVX, AVX2,
# AVX-512 of Ice Lake, AVX-VNNI of Alder Lake and later, Zen 4), not the fourteen that include server
# parts; and llama.cpp's "common" library, which only the multimodal tools need, is not built.
set -euo pipefail
version=$1 wheelhouse=$2 python=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON"
args+=" -DCMAKE_PROJECT_llama_cpp_INCLUDE=$here/install-backends.cmake"
for gpu in "$@"; do
  case $gpu in
    vulkan) args+=" -DGGML_VULKAN=ON" ;;
    cuda) args+=" -DGGML_CUDA=ON" ;;
    metal) args+=" -DGGML_METAL=ON" ;;
    *) echo "unknown GPU backend: $gpu" >&2; exit 2 ;;
  esac
done

"$python" -m pip download --quiet --no-deps --no-binary :all: -d "$work" "llama-cpp-python==$version"
tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
src="$work/llama_cpp_python-$version"
sed -i 's/set(LLAMA_BUILD_COMMON ON CACHE/set(LLAMA_BUILD_COMMON ${LLAVA_BUILD} CACHE/' "$src/CMakeLists.txt"
sed -i -E '/ggml_add_cpu_backend_variant\((ivybridge|piledriver|skylakex|cannonlake|cascadelake|cooperlake|sapphirerapids) /d' \
  "$src/vendor/llama.cpp/ggml/src/CMakeLists.txt"
grep -q 'LLAMA_BUILD_COMMON ${LLAVA_BUILD}' "$src/CMakeLists.txt" || { echo "patch for common did not apply" >&2; exit 1; }

echo "llama-cpp-python $version: $args"
CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) "$python" -m pip wheel --quiet --no-deps -w "$wheelhouse" "$src"
