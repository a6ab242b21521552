# Sourced by the build and test scripts: shared helpers, no side effects when sourced.

banner() { printf '\n== %s\n' "$*"; }

# cmake_configure DIR [cmake args...]: configures DIR for *this* checkout (set CMAKE_LAUNCHER=emcmake
# for the wasm build). A cache written for
# another source folder (a copied or moved tree) is deleted first, so no build folder ever
# compiles a different checkout than the one under test.
cmake_configure() {
  local dir=$1; shift
  if [ -f "$dir/CMakeCache.txt" ] &&
     ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$PWD" "$dir/CMakeCache.txt"; then
    echo "($dir was configured for another checkout: starting it afresh)"
    rm -rf "$dir"
  fi
  [ -f "$dir/CMakeCache.txt" ] || ${CMAKE_LAUNCHER:-} cmake -S . -B "$dir" "$@" >/dev/null
}

# cmake_build DIR [targets...]: builds quietly into DIR/build.log; prints the log on failure.
cmake_build() {
  local dir=$1; shift
  local args=()
  for t in "$@"; do args+=(--target "$t"); done
  if ! cmake --build "$dir" -j2 "${args[@]}" >"$dir/build.log" 2>&1; then
    cat "$dir/build.log" >&2
    echo "build failed in $dir" >&2
    return 1
  fi
}
