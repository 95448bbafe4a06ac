-- SPDX-License-Identifier: AGPL-3.0-or-later
-- bench/tile_bench.lua: wrk script for bench/tile_bench.sh. Each request is
-- a random full tile of a log of TILE_BENCH_SIZE entries (default
-- 1,000,000): 45% level-0 hash tiles, 45% entry bundles, 10% level-1 hash
-- tiles, so the database (not one hot row) answers. Tile indexes are
-- written as tlog-tiles paths (x001/234/067).
local size = tonumber(os.getenv("TILE_BENCH_SIZE") or "1000000")
local full0 = math.floor(size / 256)
local full1 = math.floor(full0 / 256)

local function index_path(n)
  local s = string.format("%03d", n % 1000)
  n = math.floor(n / 1000)
  while n > 0 do
    s = string.format("x%03d/", n % 1000) .. s
    n = math.floor(n / 1000)
  end
  return s
end

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function request()
  local r = math.random()
  local path
  if r < 0.45 or full1 == 0 then
    path = "/log/tile/0/" .. index_path(math.random(0, full0 - 1))
  elseif r < 0.9 then
    path = "/log/tile/entries/" .. index_path(math.random(0, full0 - 1))
  else
    path = "/log/tile/1/" .. index_path(math.random(0, full1 - 1))
  end
  return wrk.format("GET", path)
end
