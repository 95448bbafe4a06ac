#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/staff_list_render.sh SAFEHOUSE_BIN [CASES [RUNS [OUT_JSON]]]: the
# reviewers' workspace at CASES cases (default 10,000) in Debian's Chromium
# driven by playwright-core (web/bench/staff_list_render.mjs says what is
# measured), RUNS times each (default 15). Runs inside a new network
# namespace that has only loopback, as tests/browser/run.sh does. Needs root
# (or unprivileged user namespaces), node, /usr/bin/chromium, curl, sqlite3 (the
# Debian package: fills the cases) and tests/browser/node_modules
# (`npm ci` there). Reported figures only: nothing here fails on a time.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:?usage: staff_list_render.sh SAFEHOUSE_BIN [CASES [RUNS [OUT_JSON]]]}")"
cases="${2:-10000}"
runs="${3:-15}"
out="${4:-}"
[[ -z "$out" ]] || out="$(realpath "$out")"

for tool in node unshare ip sqlite3 curl /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "staff_list_render.sh: $tool is missing" >&2; exit 1; }
done
if [[ ! -d "$root/tests/browser/node_modules/playwright-core" ]]; then
  echo "staff_list_render.sh: no node_modules: run 'npm ci' in tests/browser" >&2
  exit 1
fi

tmp="$(mktemp -d -t safehouse-list-render.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

unshare_args=(-n)
[[ $(id -u) -eq 0 ]] || unshare_args=(-r -n)

echo "binary: $bin; nproc $(nproc); $(uptime)"
export SAFEHOUSE_BIN="$bin" TMPDIR="$tmp" HOME="$tmp"
cd "$root"
unshare "${unshare_args[@]}" bash -c '
  set -euo pipefail
  ip link set lo up
  exec node web/bench/staff_list_render.mjs "$@"
' bash "$cases" "$runs" $out
echo "done; $(uptime)"
