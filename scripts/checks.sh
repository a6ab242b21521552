#!/usr/bin/env bash
# Repository checks run first by `npm test` (scripts/test.sh); each failure names the fix.
#   1. no build output is tracked by git (a configured build folder only fits its own checkout);
#   2. every C++ file is formatted as .clang-format says (run: scripts/format.sh);
#   3. src/core stays free of the platform: no Emscripten, Embind, HTTP, SQLite or JSON headers.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
problem() { echo "checks: $*" >&2; fail=1; }

tracked=$(git ls-files | grep -E '(^|/)(build[^/]*|dist|node_modules)/|CMakeCache\.txt$|\.(o|a|so|wasm)$' || true)
[ -z "$tracked" ] || problem "build output is tracked by git (git rm -r --cached it):
$(echo "$tracked" | head -5)"

mapfile -t cxx < <(git ls-files -- 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')
unformatted=()
for f in "${cxx[@]}"; do
  [ -f "$f" ] || continue
  clang-format --style=file "$f" | cmp -s - "$f" || unformatted+=("$f")
done
[ ${#unformatted[@]} -eq 0 ] || problem "not clang-formatted (run scripts/format.sh): ${unformatted[*]}"

# The core is shared by the native binaries and both wasm modules: it must not include them.
leaks=$(grep -nE '#include *[<"](emscripten|httplib|sqlite3|boost/|nlohmann/|openssl/)' src/core/*.h src/core/*.cpp || true)
[ -z "$leaks" ] || problem "src/core includes a platform or library header:
$leaks"

[ "$fail" = 0 ] && echo "checks: no tracked build output, formatting clean, src/core platform-free"
exit "$fail"
