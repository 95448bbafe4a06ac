#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run_fuzzer.sh BINARY SEEDS WORK SECONDS.
# Fails if the fuzzer finds a crash, leak or sanitizer error.
set -euo pipefail
binary="$1" seeds="$2" work="$3" seconds="$4"
mkdir -p "$work"
artifacts="$work/../artifacts_$(basename "$binary")/"
mkdir -p "$artifacts"
dirs=("$work")
[[ -d "$seeds" ]] && dirs+=("$seeds")
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts" "${dirs[@]}"
