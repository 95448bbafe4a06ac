#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/tile_bench.sh SAFEHOUSE LOG_FILL [SIZE] [SECONDS]: /log/tile/… requests
# per second of a release `safehouse serve` whose log (SQLite, in the
# installation's database) holds SIZE case events (default 1,000,000),
# written by bench/log_fill. wrk (Debian) sends random full tiles
# (bench/tile_bench.lua) over 32 connections from 2 threads, then the one
# partial level-0 tile (the hot path of a client following the log's head)
# and /log/checkpoint. Loopback only; the data directory is removed after.
set -euo pipefail
bin="$(realpath "${1:?usage: tile_bench.sh SAFEHOUSE LOG_FILL [SIZE] [SECONDS]}")"
fill="$(realpath "${2:?}")"
size="${3:-1000000}"
seconds="${4:-20}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d -t safehouse-tile-bench.XXXXXX)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" init --data "$tmp/data" --demo >/dev/null
start=$(date +%s.%N)
"$fill" "$tmp/data" "$size"
end=$(date +%s.%N)
echo "log_fill: $size entries in $(echo "$end - $start" | bc) s;" \
     "database $(du -sh "$tmp/data" | cut -f1)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --data "$tmp/data" --source-listen "127.0.0.1:$port" --staff-listen 127.0.0.1:0 \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/log/checkpoint" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/log/checkpoint" | head -2
partial=$(printf '%03d' $((size / 256 % 1000)))
if (( size / 256 >= 1000 )); then partial="x$(printf '%03d' $((size / 256000)))/$partial"; fi
partial="/log/tile/0/$partial.p/$((size % 256))"
curl -sf -o /dev/null -w "partial tile $partial: %{http_code}\n" "http://127.0.0.1:$port$partial"

echo "== random full tiles"
TILE_BENCH_SIZE="$size" wrk -t2 -c32 -d"${seconds}s" --latency -s "$here/tile_bench.lua" \
  "http://127.0.0.1:$port"
echo "== the partial level-0 tile"
wrk -t2 -c32 -d"${seconds}s" --latency "http://127.0.0.1:$port$partial"
echo "== /log/checkpoint"
wrk -t2 -c32 -d"${seconds}s" --latency "http://127.0.0.1:$port/log/checkpoint"
