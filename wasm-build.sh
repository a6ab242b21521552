#!/usr/bin/env bash
# Builds the wasm modules with Debian's Emscripten (em++ 3.1.6) into build-wasm/:
#   thermograph.wasm  the visitor module: plain C exports, no glue, instantiated by js/tracker/wasm.js
#   overlay.mjs/.wasm the designer's module: Embind API over the renderer and insights (lazy)
# Incremental: a module is rebuilt only when one of its sources is newer than the output.
#
# Usage: ./wasm-build.sh [--force] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")"

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
mkdir -p "$out"

stale() {  # stale OUTPUT INPUT...: true when OUTPUT is missing or older than any input
  local target=$1; shift
  [ "$force" = 1 ] || [ ! -f "$target" ] && return 0
  for f in "$@"; do [ "$f" -nt "$target" ] && return 0; done
  return 1
}

# 1. -Oz: size over speed; the tracker's work per event is tiny.
# 2. -fno-exceptions -fno-rtti: exceptions alone cost ~21 KB; the core never throws.
# 3. STANDALONE_WASM + --no-entry: no JS glue at all; our loader is ~40 lines.
# 4. MALLOC=none: nothing allocates (fixed-capacity page view, static buffers), so no allocator
#    is linked; any new/malloc creeping back in fails the link instead of adding ~2 KB.
# 5. No ALLOW_MEMORY_GROWTH: static data (~200 KB) + stack fit the initial 1 MB and nothing grows.
# 6. TOTAL_STACK=64 KB: the default 5 MB stack is pointless for this call depth.
# 7. -mnontrapping-fptoint -mbulk-memory -msign-ext: every browser since 2021 (Chrome 75/91,
#    Firefox 64/79, Safari 15) runs them; they save ~8% gzip (no guarded float-to-int sequences,
#    memory.copy/fill instead of musl's memcpy). Float-to-int casts of event fields are range
#    checked in the core, so saturating conversions never change a result.
# 8. THERMOGRAPH_NO_HEAP: the PII scanner's rare heap path is compiled out (over-long text is
#    refused instead). THERMOGRAPH_PII_COMPACT: the visitor's PII profile (pii.cpp, docs/privacy.md):
#    any text with 5+ digits or a dotted quad is refused wholesale, the JWT/email/token scanners
#    run on the rest. Stricter than the full detectors, and 2 KB smaller.
VISITOR_SRC=(src/wasm/visitor.cpp src/core/tracker.cpp src/core/pageview.cpp src/core/element_key.cpp src/core/pii.cpp
             src/core/page_key.cpp)
VISITOR_FLAGS=(-std=c++20 -Oz -flto -fno-exceptions -fno-rtti -Isrc -DNDEBUG -DTHERMOGRAPH_NO_HEAP -DTHERMOGRAPH_PII_COMPACT
               -sSTANDALONE_WASM=1 --no-entry -sMALLOC=none -sINITIAL_MEMORY=1048576
               -sTOTAL_STACK=65536 -sERROR_ON_UNDEFINED_SYMBOLS=1
               -mnontrapping-fptoint -mbulk-memory -msign-ext)
if stale "$out/thermograph.wasm" "${VISITOR_SRC[@]}" src/core/*.h wasm-build.sh; then
  echo "== wasm: visitor module"
  em++ "${VISITOR_FLAGS[@]}" "${VISITOR_SRC[@]}" -o "$out/thermograph.link.wasm"
  # Emscripten also exports stackSave/stackAlloc/__errno_location/_initialize, which the JS never
  # calls (no constructors run: the tracker is constinit) and which keep code alive: keep only the
  # tg_* exports and memory, then let wasm-opt drop what nothing reaches any more (~170 B gzip).
  node scripts/wasm-exports.cjs "$out/thermograph.link.wasm" "$out/thermograph.trim.wasm" tg_
  wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals "$out/thermograph.trim.wasm" -o "$out/thermograph.wasm"
  rm -f "$out/thermograph.link.wasm" "$out/thermograph.trim.wasm"
  # Post-build check: no imports at all. Nothing allocates, grows memory or aborts (an abort()
  # would import proc_exit: string_view::substr's range check is one way to link it).
  if node -e '
    const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
    const bad = WebAssembly.Module.imports(m);
    if (bad.length) { console.error("unexpected imports:", bad); process.exit(1); }' "$out/thermograph.wasm"
  then :; else echo "wasm-build.sh: visitor module has unexpected imports" >&2; exit 1; fi
fi

# The overlay module (Embind) is built from src/bindings when its sources exist.
if [ -f src/bindings/overlay.cpp ]; then
  OVERLAY_SRC=(src/bindings/overlay.cpp $(ls src/core/*.cpp | grep -v -e '_json.cpp$' -e '/json.cpp$'))
  # 1. Embind needs RTTI; still no exceptions.
  # 2. MODULARIZE + EXPORT_ES6 + ENVIRONMENT=web: one ES module factory for the lazy chunk.
  # 3. DYNAMIC_EXECUTION=0: no eval/new Function, so pages with a strict CSP can still open it.
  # 4. SINGLE_FILE: the overlay chunk is one file (size matters less: designers only).
  # 5. THERMOGRAPH_PII_COMPACT: the visitor's PII profile, so element and page keys computed here
  #    on the live page are byte for byte the ones the visitor module sent.
  OVERLAY_FLAGS=(-std=c++20 -O2 -fno-exceptions -Isrc -DNDEBUG -DTHERMOGRAPH_PII_COMPACT --bind -sMODULARIZE=1 -sEXPORT_ES6=1
                 -sENVIRONMENT=web -sDYNAMIC_EXECUTION=0 -sSINGLE_FILE=1 -sALLOW_MEMORY_GROWTH=1
                 -sEXPORT_NAME=createOverlayModule -sFILESYSTEM=0)
  if stale "$out/overlay.mjs" "${OVERLAY_SRC[@]}" src/core/*.h wasm-build.sh; then
    echo "== wasm: overlay module"
    em++ "${OVERLAY_FLAGS[@]}" "${OVERLAY_SRC[@]}" -o "$out/overlay.mjs"
  fi
fi

for f in "$out"/thermograph.wasm "$out"/overlay.mjs; do
  [ -f "$f" ] && printf '%-28s %8d raw %7d gzip\n' "$(basename "$f")" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
exit 0
