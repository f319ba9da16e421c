#!/usr/bin/env bash
# Fails when a C++ file differs from clang-format's output (.clang-format at the repo root).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp' 'bench/*.hpp')
((${#files[@]})) || exit 0
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
