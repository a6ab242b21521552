#!/usr/bin/env bash
# One idempotent set-up for `npm start`, `npm test` and `npm run bench` on a new Debian machine:
#   1. Debian packages, installed only when missing (apt-get update first);
#   2. `npm ci`, only when package-lock.json changed since the last install;
#   3. incremental builds: native (CMake), wasm (wasm-build.sh), JS bundles (esbuild).
# A second run with nothing changed installs nothing and rebuilds nothing.
# `--for start` builds only what `npm start` runs (the collector, the wasm modules, the bundles):
# a new user waits for the demo, not for test binaries.
#
# Usage: scripts/bootstrap.sh [--no-build] [--for start|all]
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
purpose=all
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --for)
      purpose=${2:-}
      case "$purpose" in start|all) ;; *) echo "bootstrap: --for takes start or all" >&2; exit 64 ;; esac
      shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown option '$1'" >&2; exit 64 ;;
  esac
  shift
done

source scripts/lib.sh

# What `npm start` runs: build tools, libraries, and Chromium for the simulated visitors.
PACKAGES=(cmake make g++ emscripten doctest-dev nlohmann-json3-dev libboost-dev libssl-dev
          libsqlite3-dev sqlite3 chromium)
# Tests and benchmarks also need clang (the fuzzer), clang-format (checks), the load tools, and
# the ClickHouse server the scale-out tests start themselves (docs/scale-out.md; never started as
# a service). A new user's `npm start` does not wait for them.
if [ "$purpose" != start ]; then
  PACKAGES+=(clang libclang-rt-14-dev clang-format wrk nginx-light brotli clickhouse-server
             clickhouse-client)
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  banner "apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=node_modules/.thermograph-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  banner "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

[ "$build" = 1 ] || exit 0
banner "native build (cmake)"
cmake_configure build -DCMAKE_BUILD_TYPE=Release
if [ "$purpose" = start ]; then cmake_build build thermograph-collector; else cmake_build build; fi
grep -E 'warning|error' build/build.log || echo "up to date"

banner "wasm build"
./wasm-build.sh
banner "js bundles"
node scripts/build-js.mjs
