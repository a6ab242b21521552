#!/usr/bin/env bash
# Formats every tracked C++ file in place with the checked-in .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z -- 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' | xargs -0 clang-format -i --style=file
