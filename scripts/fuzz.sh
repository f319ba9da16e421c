#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan/UBSan) and runs it for a bounded time on the seed
# corpus: WebSocket messages into the signaling hub and HTTP requests into the REST API, over the
# real call service on SQLite. A crash, leak or sanitizer report fails the run.
# Usage: scripts/fuzz.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
CXX=clang++ cmake -S server -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSB_FUZZ=ON \
  -DSB_TESTS=OFF -DSB_WERROR=OFF >/dev/null
cmake --build build-fuzz --target fuzz_wire -j 2
corpus="$(mktemp -d -t sb-fuzz-XXXXXX)"
trap 'rm -rf "$corpus"' EXIT
cp server/fuzz/corpus/* "$corpus/"
log="$corpus/fuzz.log"
set +e
./build-fuzz/fuzz_wire -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 \
  "$corpus" >"$log" 2>&1
rc=$?
set -e
if ((rc != 0)); then
  tail -n 60 "$log"  # The finding, its stack and the reproducer's name.
else
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
fi
exit "$rc"
