#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/age_throughput.sh: encrypts and decrypts one large file (1 GiB by
# default) with `safehouse` and with Debian's `age` in the same run, and
# prints throughput, the safehouse/age ratio and peak RSS as a Markdown table
# (see bench/RESULTS.md). Output goes to /dev/null so that the disk is not
# measured; both tools decrypt the same ciphertext (made by age, untimed),
# and each tool's output is checked by the other before timing.
# Usage: bench/age_throughput.sh [SAFEHOUSE_BINARY]
#   SAFEHOUSE_BINARY defaults to the release build:
#     cmake --preset release && cmake --build --preset release --target safehouse
#   SIZE_MIB (default 1024), RUNS (default 3; the best run counts), TMPDIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SAFEHOUSE="${1:-$ROOT/build/release/src/cli/safehouse}"
SIZE_MIB="${SIZE_MIB:-1024}"
RUNS="${RUNS:-3}"

die() { printf 'age_throughput: %s\n' "$*" >&2; exit 1; }
[[ -x "$SAFEHOUSE" ]] || die "no $SAFEHOUSE; build it: cmake --preset release && cmake --build --preset release --target safehouse"
command -v age >/dev/null || die "age is not installed (apt-get install age)"
[[ -x /usr/bin/time ]] || die "GNU time is not installed (apt-get install time)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/safehouse-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset SAFEHOUSE_PASSPHRASE

printf 'age_throughput: making %d MiB of random plaintext in %s\n' "$SIZE_MIB" "$WORK" >&2
head -c $((SIZE_MIB * 1048576)) /dev/urandom >plain
BYTES="$(stat -c %s plain)"
"$SAFEHOUSE" keygen -o key 2>/dev/null
PUB="$(sed -n 's/^# public key: //p' key)"

printf 'age_throughput: checking interoperability first\n' >&2
age -r "$PUB" -o by_age.age plain
"$SAFEHOUSE" decrypt -i key by_age.age | cmp -s - plain || die "safehouse cannot decrypt age's file"
"$SAFEHOUSE" encrypt -r "$PUB" -o by_safehouse.age plain
age -d -i key by_safehouse.age | cmp -s - plain || die "age cannot decrypt safehouse's file"
rm -f by_safehouse.age

# run_once KEY CMD...: runs CMD once (stdout to /dev/null) under GNU time and
# keeps, per KEY, the best wall time, the least CPU time (user + system) and
# the largest peak RSS. CPU time is reported because a shared machine's load
# stretches wall time but hardly CPU time; the tools take turns, run by run,
# so that both see the same load.
declare -A SECONDS_OF CPU_OF RSS_OF
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
run_once() {
  local key="$1" start end seconds used kib
  shift
  start="$(date +%s%N)"
  /usr/bin/time -v -o time.log "$@" >/dev/null
  end="$(date +%s%N)"
  seconds="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
  used="$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.2f", t }' time.log)"
  kib="$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.log)"
  if [[ -z "${SECONDS_OF[$key]:-}" ]] || less "$seconds" "${SECONDS_OF[$key]}"; then
    SECONDS_OF[$key]="$seconds"
  fi
  if [[ -z "${CPU_OF[$key]:-}" ]] || less "$used" "${CPU_OF[$key]}"; then CPU_OF[$key]="$used"; fi
  if ((kib > ${RSS_OF[$key]:-0})); then RSS_OF[$key]="$kib"; fi
}

for ((run = 1; run <= RUNS; run++)); do
  printf 'age_throughput: run %d of %d\n' "$run" "$RUNS" >&2
  run_once "encrypt safehouse" "$SAFEHOUSE" encrypt -r "$PUB" plain
  run_once "encrypt age" age -r "$PUB" plain
  run_once "decrypt safehouse" "$SAFEHOUSE" decrypt -i key by_age.age
  run_once "decrypt age" age -d -i key by_age.age
done

mbps() { awk -v n="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", n / 1e6 / s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

printf '\n%d MiB, best of %d runs, output to /dev/null.\n\n' "$SIZE_MIB" "$RUNS"
printf '| operation | tool | wall s | MB/s | CPU s (user+sys) | peak RSS (MiB) |\n'
printf '|---|---|---:|---:|---:|---:|\n'
for op in encrypt decrypt; do
  for tool in safehouse age; do
    key="$op $tool"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$op" "$tool" "${SECONDS_OF[$key]}" \
      "$(mbps "${SECONDS_OF[$key]}")" "${CPU_OF[$key]}" "$(mib "${RSS_OF[$key]}")"
  done
done
printf '\n'
for op in encrypt decrypt; do
  awk -v a="${SECONDS_OF[$op age]}" -v s="${SECONDS_OF[$op safehouse]}" \
    -v ac="${CPU_OF[$op age]}" -v sc="${CPU_OF[$op safehouse]}" -v op="$op" \
    'BEGIN { printf "%s: throughput ratio safehouse/age %.2f by wall time, %.2f by CPU time\n",
                    op, a / s, ac / sc }'
done
