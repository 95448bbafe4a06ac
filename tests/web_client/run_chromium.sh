#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/web_client/run_chromium.sh: runs web/test_browser/chromium.test.mjs
# (the client bundle in Debian's Chromium) in a new network namespace that
# has only loopback, as tests/browser/run.sh does. Needs root (or
# unprivileged user namespaces), node, age, /usr/bin/chromium, web's
# node_modules and tests/browser's playwright-core (scripts/test installs
# both); anything missing is a failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
for tool in node unshare ip age age-keygen /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "run_chromium.sh: $tool is missing" >&2; exit 1; }
done
for dir in "$root/web/node_modules/age-encryption" "$root/tests/browser/node_modules/playwright-core"; do
  [[ -d "$dir" ]] || { echo "run_chromium.sh: $dir is missing: run scripts/test (npm ci)" >&2; exit 1; }
done

tmp="$(mktemp -d -t safehouse-web-chromium.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
unshare_args=(-n)
[[ $(id -u) -eq 0 ]] || unshare_args=(-r -n)

export TMPDIR="$tmp" HOME="$tmp"
cd "$root/web"
unshare "${unshare_args[@]}" bash -c '
  set -euo pipefail
  ip link set lo up
  exec node --test --test-reporter=spec test_browser/chromium.test.mjs
'
