#!/usr/bin/env bash
# Builds every libFuzzer target (clang, ASan/UBSan; server/fuzz/) and runs each on its committed
# seed corpus (server/fuzz/corpus/<target>/) for a bounded time:
#   fuzz_wire    WebSocket messages into the hub, HTTP requests with JSON bodies into the REST
#                API, over the real call service on SQLite
#   fuzz_http    raw HTTP/1.1 bytes through the request parser and net/'s conversion
#   fuzz_jwt     tokens, signed claims and headers, public-key PEM
#   fuzz_text    host:port, redis:// URLs, durations, algorithm names, bus deliveries, paths
#   fuzz_config  the command line
# A crash, leak or sanitizer report fails the run. Prints the inputs run per target and a total.
# Usage: scripts/fuzz.sh [seconds]        the time is shared among the targets (default 60)
#        scripts/fuzz.sh --each SECONDS   every target runs that long (make fuzz-long)
# FUZZ_TARGETS="fuzz_jwt fuzz_text" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
# UBSan only prints by default and the run goes on; a finding must fail it (and leave its input).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
targets=(${FUZZ_TARGETS:-fuzz_wire fuzz_http fuzz_jwt fuzz_text fuzz_config})
if [[ "${1:-}" == "--each" ]]; then
  each="${2:?--each needs seconds}"
else
  each=$(( ${1:-60} / ${#targets[@]} ))
  ((each >= 5)) || each=5
fi
CXX=clang++ cmake -S server -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSB_FUZZ=ON \
  -DSB_TESTS=OFF -DSB_WERROR=OFF >/dev/null
cmake --build build-fuzz --target "${targets[@]}" -j 2
work="$(mktemp -d -t sb-fuzz-XXXXXX)"
trap 'rm -rf "$work"' EXIT
total=0
failed=0
for target in "${targets[@]}"; do
  name="${target#fuzz_}"
  corpus="$work/$name"
  mkdir -p "$corpus"
  cp server/fuzz/corpus/"$name"/* "$corpus/"
  log="$work/$name.log"
  set +e
  # One crash artifact per target, in the work dir (printed below, then removed with it).
  "./build-fuzz/$target" -max_total_time="$each" -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$work/$name-" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  runs="$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)"
  total=$((total + runs))
  if ((rc != 0)); then
    failed=$((failed + 1))
    echo "$target: FAILED after ${each} s (exit $rc); its finding:"
    # The finding and its stack: from the first report line on.
    start="$(grep -m1 -n -E 'ERROR|Assertion|runtime error|SUMMARY' "$log" | cut -d: -f1 || true)"
    tail -n +"${start:-1}" "$log" | head -n 60
    for a in "$work/$name"-*; do [[ -f "$a" ]] && { echo "reproducer (base64):"; base64 -w0 "$a"; echo; }; done
  else
    echo "$target: ${runs} inputs in ${each} s, clean ($(ls "$corpus" | wc -l) in its corpus)"
  fi
done
echo "fuzz: ${total} inputs over ${#targets[@]} targets, $((${#targets[@]} - failed)) passed, ${failed} failed"
((failed == 0))
