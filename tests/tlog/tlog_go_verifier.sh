#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/tlog/tlog_go_verifier.sh: the independent verifier. Builds
# go_verifier/ against Debian's golang.org/x/mod (offline, GOPATH mode),
# writes a log with tlog_fixture, serves it with python3's http.server on a
# free 127.0.0.1 port, and lets the Go program check signature, root, entries
# and proofs. A missing go or x/mod is a failure, not a skip.
# Usage: tlog_go_verifier.sh TLOG_FIXTURE GO_SOURCE_DIR WORK_DIR OLD_SIZE NEW_SIZE
set -euo pipefail
fixture="$1" source="$2" work="$3" old_size="$4" new_size="$5"

command -v go >/dev/null || { echo "FAIL: go is not installed (Debian golang-go)" >&2; exit 1; }
[[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ]] ||
  { echo "FAIL: golang.org/x/mod is not installed (Debian golang-golang-x-mod-dev)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/gocache"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOPROXY=off GOFLAGS= \
  bash -c 'cd "$1" && go build -o "$2" .' _ "$source" "$work/go_verifier"

"$fixture" "$work/out" "$old_size" "$new_size"

server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
python3 -u -m http.server --bind 127.0.0.1 --directory "$work/out/log" 0 >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { echo "FAIL: http.server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

timeout 300 "$work/go_verifier" "http://127.0.0.1:$port" "$work/out/vkey" \
  "$work/out/checkpoint.old" "$work/out/proofs.txt"

# The verifier must also notice a rewritten entry: flip one byte in a full
# entry bundle and expect a failure.
bundle="$work/out/log/tile/entries/000"
printf 'X' | dd of="$bundle" bs=1 seek=40 conv=notrunc status=none
if timeout 300 "$work/go_verifier" "http://127.0.0.1:$port" "$work/out/vkey" \
  "$work/out/checkpoint.old" "$work/out/proofs.txt" >"$work/tampered.log" 2>&1; then
  echo "FAIL: the verifier accepted a rewritten entry" >&2
  exit 1
fi
grep -q "entry 0 does not match its leaf hash" "$work/tampered.log" ||
  { echo "FAIL: unexpected reason:" >&2; cat "$work/tampered.log" >&2; exit 1; }
echo "tampered entry detected: $(tail -1 "$work/tampered.log")"
