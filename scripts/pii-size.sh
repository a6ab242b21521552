#!/usr/bin/env bash
# Visitor-download cost of the PII detectors and the page key (src/core/pii.cpp, page_key.cpp):
# gzip -9 size of a wasm whose exporter calls find_pii, canonical_page_key, is_safe_token and
# is_id_like, minus a baseline wasm that only builds a std::string and a std::vector<std::string>.
# Same em++ flags as the visitor build, so the difference is what these files add to the budget.
# Usage: scripts/pii-size.sh [--compact] [--profile]
#   default:   PiiProfile::kFull (every detector)
#   --compact: PiiProfile::kCompact, built as the visitor is (THERMOGRAPH_PII_COMPACT_ONLY)
#   --profile: per-function sizes of the same build
set -euo pipefail
cd "$(dirname "$0")/.."
pii_profile=kFull defines=() funcs=0
for arg in "$@"; do
  case "$arg" in
    --compact) pii_profile=kCompact defines=(-DTHERMOGRAPH_PII_COMPACT_ONLY) ;;
    --profile) funcs=1 ;;
    *) echo "pii-size.sh: unknown option '$arg'" >&2; exit 64 ;;
  esac
done
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cat >"$out/pii_x.cpp" <<CPP
#include <string>
#include <string_view>

#include "core/page_key.h"
#include "core/pii.h"

extern "C" __attribute__((export_name("x"))) int x(const char* p, int n) {
  constexpr thermograph::PiiProfile kProfile = thermograph::PiiProfile::$pii_profile;
  const std::string_view s(p, static_cast<size_t>(n));
  const std::string key = thermograph::canonical_page_key(s, kProfile);
  return static_cast<int>(thermograph::find_pii(s, kProfile)) + static_cast<int>(key.size()) * 16 +
         (thermograph::is_safe_token(s, kProfile) ? 1 << 20 : 0) +
         (thermograph::is_id_like(s, kProfile) ? 1 << 21 : 0);
}
CPP
cat >"$out/base_x.cpp" <<'CPP'
#include <string>
#include <vector>

extern "C" __attribute__((export_name("x"))) int x(const char* p, int n) {
  std::string s(p, static_cast<size_t>(n));
  std::vector<std::string> v;
  v.push_back(s);
  v.push_back(s + "/");
  return static_cast<int>(v.size() + v.back().size());
}
CPP

FLAGS=(-std=c++20 -Oz -flto -fno-exceptions -fno-rtti -mnontrapping-fptoint -mbulk-memory -msign-ext
       -sSTANDALONE_WASM=1 --no-entry -sMALLOC=emmalloc -sALLOW_MEMORY_GROWTH=1 -Isrc)
em++ "${FLAGS[@]}" "${defines[@]}" "$out/pii_x.cpp" src/core/pii.cpp src/core/page_key.cpp -o "$out/pii.wasm" \
  --emit-symbol-map  # names for --profile; the map is a separate file, the wasm is unchanged
em++ "${FLAGS[@]}" "$out/base_x.cpp" -o "$out/base.wasm"

pii=$(gzip -9 <"$out/pii.wasm" | wc -c)
base=$(gzip -9 <"$out/base.wasm" | wc -c)
echo "pii wasm:      $(wc -c <"$out/pii.wasm") B raw, $pii B gzip -9"
echo "baseline wasm: $(wc -c <"$out/base.wasm") B raw, $base B gzip -9"
echo "added by pii + page_key (PiiProfile::$pii_profile): $((pii - base)) B gzip -9"

if [ "$funcs" = 1 ]; then
  node scripts/wasm-func-sizes.cjs "$out/pii.wasm"
fi
