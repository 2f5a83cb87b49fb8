#!/usr/bin/env bash
# Builds qdq-wasm from src/:
#   dist/qdq-simd128.wasm   Emscripten (LLVM 14), -O3 -msimd128: every engine with SIMD128
#   dist/qdq-relaxed.wasm   Emscripten driving LLVM 19, -msimd128 -mrelaxed-simd
#   dist/qdq-*-mt.wasm      the same two on shared memory, for js/runtime/pool.js's
#                           threads (docs/threads.md)
#   build/qdq-test-*.wasm   the same two builds exporting every kernel and reference
#                           function too, for the kernel tests (production files export
#                           only the QDQ_API operators, so unused kernels are not shipped)
#   js/runtime/embedded.js  both .wasm files as base64, for 'qdq-wasm/inline'
#   build/qdq-native-tests  gcc, scalar kernels + tests/c, under ASan and UBSan
# Skips work whose outputs are newer than every source (--force, or CI=true:
# rebuild everything, so CI compares fresh builds with the committed ones).
# dist/*.wasm are committed: a machine without a toolchain keeps them, says so
# and goes on (with CI=true every tool is required). See docs/toolchain.md for
# why each tool and flag is here.
set -euo pipefail
cd "$(dirname "$0")"

FORCE=0
if [ "${1:-}" = "--force" ] || [ "${CI:-}" = "true" ]; then FORCE=1; fi

# have TOOL... : true when every tool is on PATH; in CI a missing one is fatal.
have() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      if [ "${CI:-}" = "true" ]; then
        echo "build.sh: '$tool' not found, and CI needs it (.ci/run installs it; see docs/toolchain.md)" >&2
        exit 1
      fi
      return 1
    fi
  done
}
skip() { # $1: what, $2: the Debian packages that bring it
  echo "build.sh: skipping $1: needs $2 (apt-get install -y $2); using the committed file" >&2
}

if ! have node; then
  echo "build.sh: 'node' not found; install Node 20 or newer" >&2
  exit 1
fi

# Emscripten's JS tools require acorn, which Debian installs outside Node's default path.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

mkdir -p dist build

SOURCES=$(find src -name '*.c' | sort)
SCALAR_SOURCES=$(echo "$SOURCES" | grep -v -e '-wasmsimd' -e '-wasmrelaxedsimd')
SIMD_SOURCES=$(echo "$SOURCES" | grep -v -e '-wasmrelaxedsimd')

# Exports. Production: the QDQ_API operators of src/qdq.h (what js/ calls).
# Test builds: also the reference functions, the other public helpers and
# every kernel named in a family .inc list whose ISA the build can run, so
# kernels that no configuration dispatches are still tested. Adding a kernel
# is one .inc line.
kernels() { # $1: regex of ISAs
  grep -h '^QDQ_UKERNEL(' $(find src -name '*.inc' | sort) |
    sed -E 's/^QDQ_UKERNEL\(([a-z0-9_]+),.*,[[:space:]]*([a-z0-9]+)\)[[:space:]]*$/\1 \2/' |
    awk -v isa="$1" '$2 ~ ("^(" isa ")$") { print $1 }'
}
api_functions() {
  grep -hoE '^QDQ_API [a-z0-9_]+ \**qdq_[a-z0-9_]+\(' src/qdq.h | sed -E 's/.* \**(qdq_[a-z0-9_]+)\(/\1/' | sort -u
}
all_functions() {
  grep -hoE '^(QDQ_API )?(int|long|void|size_t|int32_t|float|double|uint32_t) \**qdq_[a-z0-9_]+\(' src/qdq.h |
    sed -E 's/.* \**(qdq_[a-z0-9_]+)\(/\1/' | sort -u
}
exports() { # $1: regex of ISAs, or "api" for the production set
  if [ "$1" = api ]; then { api_functions; echo malloc; echo free; }
  else { all_functions; kernels "$1"; echo malloc; echo free; }; fi |
    sort -u | sed 's/^/_/' | paste -sd, -
}

stale() { # $1: output; true when any input is newer
  [ "$FORCE" = 1 ] || [ ! -f "$1" ] && return 0
  [ -n "$(find src build.sh -newer "$1" -print -quit)" ]
}

COMMON_CFLAGS=(-std=c11 -O3 -Isrc -ffp-contract=off -DNDEBUG -Wall -Wextra -Werror)
# MAXIMUM_MEMORY is QDQ_MAX_BUFFER_BYTES + 1 (src/qdq.h): js/ sizes its checks by it.
EMFLAGS=(--no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2147483648 -sINITIAL_MEMORY=4MB
         -sTOTAL_STACK=256KB -sFILESYSTEM=0 -sERROR_ON_UNDEFINED_SYMBOLS=1)

# wasm_build VARIANT ISAS SOURCES [env...]: the production module (dist/) and
# the test module (build/) from the same sources and flags.
wasm_build() {
  local variant=$1 isas=$2 sources=$3
  shift 3
  local out=dist/qdq-$variant.wasm test=build/qdq-test-$variant.wasm
  if stale "$out" || stale "$test"; then
    echo "build.sh: $out, $test"
    env "$@" emcc "${COMMON_CFLAGS[@]}" "${VARIANT_CFLAGS[@]}" $sources "${EMFLAGS[@]}" \
      -sEXPORTED_FUNCTIONS="$(exports api)" -o "$out"
    env "$@" emcc "${COMMON_CFLAGS[@]}" "${VARIANT_CFLAGS[@]}" $sources "${EMFLAGS[@]}" \
      -sEXPORTED_FUNCTIONS="$(exports "$isas")" -o "$test"
  fi
}

# Shared-memory builds (production only; the kernels are the same files, tested
# through the single-threaded test builds). Emscripten 3.1.6 refuses -pthread
# with STANDALONE_WASM, so: atomics and bulk memory in the code, memory
# imported and shared, and the thread pool supplied by the host through three
# env imports (src/parallel/parallel.c). docs/toolchain.md, "Threads".
MT_CFLAGS=(-matomics -mbulk-memory -DQDQ_THREADS)
wasm_build_mt() { # VARIANT SOURCES [env...]
  local variant=$1 sources=$2
  shift 2
  local out=dist/qdq-$variant-mt.wasm
  if stale "$out"; then
    echo "build.sh: $out"
    env "$@" emcc "${COMMON_CFLAGS[@]}" "${VARIANT_CFLAGS[@]}" "${MT_CFLAGS[@]}" $sources "${EMFLAGS[@]}" \
      -sIMPORTED_MEMORY=1 -Wl,--shared-memory -sERROR_ON_UNDEFINED_SYMBOLS=0 -sWARN_ON_UNDEFINED_SYMBOLS=0 \
      -sEXPORTED_FUNCTIONS="$(exports api)" -o "$out"
  fi
}

if ! have emcc; then
  skip "dist/qdq-simd128.wasm, dist/qdq-simd128-mt.wasm and build/qdq-test-simd128.wasm" emscripten
else
  VARIANT_CFLAGS=(-msimd128)
  wasm_build simd128 'scalar|wasmsimd' "$SIMD_SOURCES" NODE_PATH="$NODE_PATH"
  wasm_build_mt simd128 "$SIMD_SOURCES" NODE_PATH="$NODE_PATH"
fi

# The relaxed build needs LLVM 19 (LLVM 14 has no relaxed dot products); emcc
# then calls clang-19, wasm-ld-19, and llvm-nm-19/llvm-ar-19 for the system libraries.
if ! have emcc clang-19 wasm-ld-19 llvm-nm-19 llvm-ar-19; then
  skip "dist/qdq-relaxed.wasm and build/qdq-test-relaxed.wasm" "emscripten clang-19 lld-19 llvm-19"
else
  conf=build/emscripten-llvm19.config
  sed -e "s|^LLVM_ROOT.*|LLVM_ROOT = '/usr/bin'|" -e '/^LLVM_ADD_VERSION/d' -e '/^CLANG_ADD_VERSION/d' \
    /usr/share/emscripten/.emscripten > "$conf.new"
  printf "\nLLVM_ADD_VERSION = '19'\nCLANG_ADD_VERSION = '19'\n" >> "$conf.new"
  # Rewritten only when it changes, so that it does not make the builds stale.
  if cmp -s "$conf.new" "$conf"; then rm "$conf.new"; else mv "$conf.new" "$conf"; fi
  VARIANT_CFLAGS=(-msimd128 -mrelaxed-simd)
  wasm_build relaxed 'scalar|wasmsimd|wasmrelaxedsimd' "$SOURCES" NODE_PATH="$NODE_PATH" EM_CONFIG="$PWD/$conf"
  wasm_build_mt relaxed "$SOURCES" NODE_PATH="$NODE_PATH" EM_CONFIG="$PWD/$conf"
fi
if [ ! -f dist/qdq-simd128.wasm ] || [ ! -f dist/qdq-relaxed.wasm ]; then
  echo "build.sh: dist/*.wasm missing and cannot be built here" >&2
  exit 1
fi

node scripts/embed-wasm.js

if ! have gcc; then
  echo "build.sh: skipping build/qdq-native-tests: needs gcc libc6-dev (apt-get install -y gcc libc6-dev)" >&2
elif [ "$FORCE" = 1 ] || [ ! -f build/qdq-native-tests ] || [ -n "$(find src tests/c build.sh -newer build/qdq-native-tests -print -quit)" ]; then
  echo "build.sh: build/qdq-native-tests"
  gcc -std=c11 -O1 -g -Isrc -ffp-contract=off -Wall -Wextra -Werror \
    -fsanitize=address,undefined -fno-sanitize-recover=all \
    $SCALAR_SOURCES tests/c/*.c -lm -pthread -o build/qdq-native-tests
fi
