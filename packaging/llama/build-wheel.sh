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
# ggml-vulkan needs Vulkan headers of 1.3.275 or later (VK_EXT_layer_settings); Debian 12 ships 1.3.239.
# Then the headers of Debian 13 are unpacked into the build folder (not installed): headers only, from
# Debian's archive, checked against their hashes; the system's loader and glslc are used as they are.
vulkan_headers() {
  grep -qs VK_EXT_layer_settings /usr/include/vulkan/vulkan_core.h && return 0
  local pool=http://deb.debian.org/debian/pool/main sdk="$work/vulkan-sdk"
  mkdir -p "$sdk"
  while read -r sum path; do
    curl -fsSL -o "$work/${path##*/}" "$pool/$path"
    echo "$sum  $work/${path##*/}" | sha256sum -c --quiet -
    dpkg-deb -x "$work/${path##*/}" "$sdk"
  done <<'DEBS'
8d329d465e16168afff58b1bd0dd6db46aac2cc3f56054a481b25a04e90b345a v/vulkan-loader/libvulkan-dev_1.4.309.0-1_amd64.deb
dc18db866d63680351c40ac6b6bece34cb52da64a7799ce1cc4f16f6bff4d064 s/spirv-headers/spirv-headers_1.6.1+1.4.309.0-1_all.deb
DEBS
  args+=" -DVulkan_INCLUDE_DIR=$sdk/usr/include -DCMAKE_PREFIX_PATH=$sdk/usr"
}

for gpu in "$@"; do
  case $gpu in
    vulkan) args+=" -DGGML_VULKAN=ON"; vulkan_headers ;;
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
