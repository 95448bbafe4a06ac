#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/age_hyperfine.sh: `safehouse encrypt`/`decrypt` against Debian's
# `age` with hyperfine, in one run on one file (random bytes in $TMPDIR, so
# in the page cache; output to /dev/null), optionally with a second
# safehouse binary (e.g. a build from before a change) in the same run.
# Each operation is measured on one CPU (taskset -c $CPU: every tool single-
# threaded on one core, the goal's comparison) and unpinned (safehouse may
# then seal on two threads). Prints hyperfine's tables and the mean CPU time
# (user + system) per command: on a shared machine CPU time is the steadier
# figure, wall time the one that counts when the machine is quiet.
# Usage: bench/age_hyperfine.sh SAFEHOUSE_BINARY [BEFORE_BINARY]
#   SIZE_MIB (default 256), RUNS (default 10), CPU (default 1), TMPDIR.
set -euo pipefail

SAFEHOUSE="$1"
BEFORE="${2:-}"
SIZE_MIB="${SIZE_MIB:-256}"
RUNS="${RUNS:-10}"
CPU="${CPU:-1}"

die() { printf 'age_hyperfine: %s\n' "$*" >&2; exit 1; }
[[ -x "$SAFEHOUSE" ]] || die "no $SAFEHOUSE"
[[ -z "$BEFORE" || -x "$BEFORE" ]] || die "no $BEFORE"
for tool in age hyperfine taskset jq; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/safehouse-hyperfine.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset SAFEHOUSE_PASSPHRASE

head -c $((SIZE_MIB * 1048576)) /dev/urandom >plain
"$SAFEHOUSE" keygen -o key 2>/dev/null
PUB="$(sed -n 's/^# public key: //p' key)"
age -r "$PUB" -o by_age.age plain
# Interoperability first: each tool decrypts the other's output.
"$SAFEHOUSE" decrypt -i key by_age.age | cmp -s - plain || die "safehouse cannot decrypt age's file"
"$SAFEHOUSE" encrypt -r "$PUB" plain | age -d -i key | cmp -s - plain ||
  die "age cannot decrypt safehouse's file"

# bench NAME PIN: hyperfine over the tools for one operation.
bench() {
  local op="$1" pin="$2" label="$3"
  local cmds=()
  local tools=("safehouse=$SAFEHOUSE")
  [[ -n "$BEFORE" ]] && tools+=("before=$BEFORE")
  for t in "${tools[@]}"; do
    local bin="${t#*=}"
    if [[ "$op" == encrypt ]]; then
      cmds+=(-n "${t%%=*} encrypt" "$pin $bin encrypt -r $PUB plain")
    else
      cmds+=(-n "${t%%=*} decrypt" "$pin $bin decrypt -i key by_age.age")
    fi
  done
  if [[ "$op" == encrypt ]]; then
    cmds+=(-n "age encrypt" "$pin age -r $PUB plain")
  else
    cmds+=(-n "age decrypt" "$pin age -d -i key by_age.age")
  fi
  printf '\n### %s, %s (load average before: %s)\n\n' "$op" "$label" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  hyperfine -N -w 2 -r "$RUNS" --style basic --export-markdown "$op.md" --export-json "$op.json" \
    "${cmds[@]}" >/dev/null
  cat "$op.md"
  printf '\nMean CPU time (user + system):'
  jq -r '.results[] | " \(.command): \((.user + .system) * 1000 | round) ms;"' "$op.json" |
    tr -d '\n'
  printf '\n'
}

printf '%d MiB, %d runs each after 2 warm-ups, output to /dev/null.\n' "$SIZE_MIB" "$RUNS"
for op in encrypt decrypt; do
  bench "$op" "taskset -c $CPU" "every tool on CPU $CPU (single-threaded)"
  bench "$op" "" "unpinned (safehouse encrypt may use both cores)"
done
