#!/usr/bin/env bash
# The three test rings (STYLE.md): native doctest (plain and under ASan/UBSan), the decoder
# fuzzer for a bounded time, then node:test suites (wasm from Node, the collector binary,
# real Chromium). Run through `npm test`, which bootstraps and builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
FUZZ_SECONDS=${THERMOGRAPH_FUZZ_SECONDS:-60}

banner "repository checks"
bash scripts/checks.sh

banner "native unit tests (ctest)"
ctest --test-dir build --output-on-failure

banner "native unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake_configure build-asan -DCMAKE_BUILD_TYPE=Debug -DTHERMOGRAPH_SANITIZE=ON
cmake_build build-asan core_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build-asan/core_tests

banner "decoder fuzzing (libFuzzer, ${FUZZ_SECONDS} s)"
cmake_configure build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTHERMOGRAPH_FUZZ=ON -DTHERMOGRAPH_COLLECTOR=OFF
cmake_build build-fuzz decode_fuzz
mkdir -p tests/fuzz/corpus-run
./build-fuzz/decode_fuzz -max_total_time="$FUZZ_SECONDS" -max_len=4096 -print_final_stats=1 \
  tests/fuzz/corpus-run tests/fuzz/corpus 2>&1 | grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss|INFO: Done|==[0-9]+==ERROR)' || true
test "${PIPESTATUS[0]}" -eq 0 || { echo "fuzzer found a crash" >&2; exit 1; }

banner "node:test suites (wasm in Node, collector, Chromium)"
mapfile -t suites < <(find tests -name '*.test.mjs' -not -path '*/node_modules/*' | sort)
# One file at a time, in order (node --test runs each file in its own process either way). A test
# that hangs (a server that never answers) fails after 10 minutes instead of holding CI. A file
# that fails runs once more: a headless Chromium now and then drops the beacon it sends as a page
# closes, and a test waiting for that report times out (seen about once in three full runs on a
# loaded 2-core machine). A second failure fails the run; a pass on the retry is printed as FLAKY
# in the log, never hidden.
failed=()
for f in "${suites[@]}"; do
  node --test --test-concurrency=1 --test-timeout=600000 "$f" && continue
  echo "FLAKY? $f failed; running it once more" >&2
  node --test --test-concurrency=1 --test-timeout=600000 "$f" || failed+=("$f")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed twice: ${failed[*]}" >&2
  exit 1
fi
