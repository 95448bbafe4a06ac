#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/browser/run.sh SAFEHOUSE_BIN [OUT_DIR [TEST_FILE]]: runs a browser
# test file (default source_pages.test.mjs) in a new network namespace that has only loopback,
# so neither the server nor Chromium can reach anything else. Screenshots
# go to OUT_DIR (default: the current directory). Needs root (or
# unprivileged user namespaces), node, /usr/bin/chromium and node_modules
# from `npm ci` (scripts/test runs it).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:?usage: run.sh SAFEHOUSE_BIN [OUT_DIR]}")"
out="$(realpath "${2:-.}")"
test_file="${3:-source_pages.test.mjs}"
mkdir -p "$out"

for tool in node unshare ip /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  echo "run.sh: no node_modules: run 'npm ci' in tests/browser (scripts/test does)" >&2
  exit 1
fi

# Chromium, its profiles and the data directory live in a temporary
# directory removed afterwards.
tmp="$(mktemp -d -t safehouse-browser.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# Root gets a plain network namespace; anyone else maps themselves to root
# in a user namespace first.
unshare_args=(-n)
[[ $(id -u) -eq 0 ]] || unshare_args=(-r -n)

export SAFEHOUSE_BIN="$bin" SAFEHOUSE_BROWSER_OUT="$out" TMPDIR="$tmp" HOME="$tmp"
export SAFEHOUSE_BROWSER_TEST="$test_file"
cd "$here"
unshare "${unshare_args[@]}" bash -c '
  set -euo pipefail
  ip link set lo up
  exec node --test --test-reporter=spec "$SAFEHOUSE_BROWSER_TEST"
' 2>&1 | tee "$tmp/node-test.log"
# No test here skips; should one ever, scripts/test (SAFEHOUSE_NO_SKIP=1)
# counts it as a failure: node --test exits 0 on skips.
if [[ "${SAFEHOUSE_NO_SKIP:-}" == 1 ]] && grep -qE '(skipped|todo) [1-9]' "$tmp/node-test.log"; then
  echo "run.sh: a browser test was skipped (SAFEHOUSE_NO_SKIP=1: a failure)" >&2
  exit 1
fi
