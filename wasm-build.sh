#!/usr/bin/env bash
# Builds the wasm modules with Debian's Emscripten (em++ 3.1.6) into build-wasm/ through the
# project's CMake graph under emcmake (targets and flags: src/wasm/CMakeLists.txt):
#   thermograph.wasm  the visitor module: plain C exports, no glue, instantiated by js/tracker/wasm.js
#   overlay.mjs       the designer's module: Embind API over the renderer and insights (lazy)
# Incremental: CMake rebuilds only what changed.
#
# Usage: ./wasm-build.sh [--force] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh

out=build-wasm
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "wasm-build.sh: unknown option '$1' (try --help)" >&2; exit 64 ;;
  esac
  shift
done

command -v em++ >/dev/null || { echo "wasm-build.sh: em++ not found (run scripts/bootstrap.sh)" >&2; exit 1; }
# Debian's emscripten needs node-acorn from /usr/share/nodejs for optimized links.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# Debian ships a prebuilt, frozen Emscripten cache: never point EM_CACHE elsewhere.
[ "$force" = 0 ] || rm -rf "$out"
# MinSizeRel only sets the base flags; each module's own -O level follows them and wins.
CMAKE_LAUNCHER=emcmake cmake_configure "$out" -DCMAKE_BUILD_TYPE=MinSizeRel
cmake_build "$out"

for f in "$out"/thermograph.wasm "$out"/overlay.mjs; do
  printf '%-28s %8d raw %7d gzip\n' "$(basename "$f")" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
