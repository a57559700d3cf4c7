#!/usr/bin/env bash
# Run every fuzz target for a while and fail on the first crash.
#
#   fuzz/smoke.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 30, all of them)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). Works on the
# stable toolchain: `-s none` builds without a sanitizer (the address
# sanitizer needs nightly); cargo-fuzz keeps debug assertions and overflow
# checks on in its optimized build. Seeds empty corpora first (fuzz/seed.sh). A crash leaves its input in
# fuzz/artifacts/TARGET/ and its report in fuzz/smoke-TARGET.log, and the
# script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(rules yaml_case yaml_fast jsonl_case fmt_roundtrip letter_text letter_pdf request_line)

if [ ! -d corpus/jsonl_case ] || [ -z "$(ls -A corpus/jsonl_case)" ]; then
    ./seed.sh
fi
if ! cargo fuzz build -s none; then
    echo "fuzz smoke run: the targets do not build"
    exit 1
fi
failed=()
for t in "${targets[@]}"; do
    log="smoke-$t.log"
    if cargo fuzz run -s none "$t" -- -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        echo "fuzz $t: ${runs:-?} runs in ${secs}s (${rate:-?}/s), no crash"
    elif grep -q "failed to build fuzz script" "$log"; then
        echo "fuzz $t: does not build (see fuzz/$log)"
        failed+=("$t")
    else
        echo "fuzz $t: CRASH (see fuzz/$log and fuzz/artifacts/$t/)"
        grep -m1 -A12 -E "panicked at|ERROR: libFuzzer" "$log" || tail -20 "$log"
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz smoke run failed: ${failed[*]}"
    exit 1
fi
