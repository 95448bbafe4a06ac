// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/tile.cpp: see tile.h.
#include "tlog/tile.h"

#include <cstdio>

#include "tlog/encoding.h"

namespace safehouse::tlog {

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// "000".."999" (checked by all_digits) as a number.
unsigned three_digits(std::string_view digits) {
  return static_cast<unsigned>((digits[0] - '0') * 100 + (digits[1] - '0') * 10 +
                               (digits[2] - '0'));
}

Error bad_path(std::string_view why) {
  return malformed("tile path: " + std::string(why));
}

}  // namespace

std::string encode_tile_index(std::uint64_t index) {
  std::vector<unsigned> groups;
  do {
    groups.push_back(static_cast<unsigned>(index % 1000));
    index /= 1000;
  } while (index > 0);
  std::string out;
  for (std::size_t i = groups.size(); i-- > 0;) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, i == 0 ? "%03u" : "x%03u/", groups[i]);
    out += buffer;
  }
  return out;
}

std::string tile_path(const TileId& tile) {
  std::string path = tile.entries ? "tile/entries/" : "tile/" + std::to_string(tile.level) + "/";
  path += encode_tile_index(tile.index);
  if (!tile.full()) path += ".p/" + std::to_string(tile.width);
  return path;
}

Result<TileId> parse_tile_path(std::string_view path) {
  if (!path.starts_with("tile/")) return bad_path("does not start with tile/");
  path.remove_prefix(5);
  TileId tile;
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return bad_path("no index");
  const std::string_view level = path.substr(0, slash);
  if (level == "entries") {
    tile.entries = true;
  } else {
    const auto parsed = parse_decimal(level);
    if (!parsed || *parsed > kMaxTileLevel) return bad_path("level is not 0..63");
    tile.level = static_cast<unsigned>(*parsed);
  }
  path.remove_prefix(slash + 1);
  // Index groups: "x123/" repeated, then "123", then optionally ".p/<W>".
  std::uint64_t index = 0;
  bool leading = true;
  while (path.starts_with("x")) {
    if (path.size() < 5 || path[4] != '/' || !all_digits(path.substr(1, 3))) {
      return bad_path("index group is not x followed by 3 digits");
    }
    const unsigned group = three_digits(path.substr(1, 3));
    if (leading && group == 0) return bad_path("index has a leading zero group");
    leading = false;
    if (index > (UINT64_MAX - 999) / 1000) return bad_path("index is too large");
    index = index * 1000 + group;
    path.remove_prefix(5);
  }
  if (path.size() < 3 || !all_digits(path.substr(0, 3))) {
    return bad_path("index does not end in 3 digits");
  }
  const unsigned last = three_digits(path.substr(0, 3));
  if (index > (UINT64_MAX - last) / 1000) return bad_path("index is too large");
  tile.index = index * 1000 + last;
  path.remove_prefix(3);
  if (path.empty()) return tile;
  if (!path.starts_with(".p/")) return bad_path("unexpected text after the index");
  const auto width = parse_decimal(path.substr(3));
  if (!width || *width == 0 || *width >= kTileWidth) return bad_path("partial width is not 1..255");
  tile.width = static_cast<unsigned>(*width);
  return tile;
}

TileId tile_for(bool entries, unsigned level, std::uint64_t index, std::uint64_t tree_size) {
  const std::uint64_t count = tree_size >> (kTileHeight * level);  // hashes of that level
  TileId tile;
  tile.entries = entries;
  tile.level = entries ? 0 : level;
  tile.index = index / kTileWidth;
  const std::uint64_t in_tile = count - tile.index * kTileWidth;
  tile.width = in_tile >= kTileWidth ? kTileWidth : static_cast<unsigned>(in_tile);
  return tile;
}

Result<std::vector<Hash>> parse_hash_tile(ByteSpan data, unsigned width) {
  if (data.size() != std::size_t{width} * kHashSize) {
    return malformed("hash tile: " + std::to_string(data.size()) + " bytes, expected " +
                     std::to_string(width) + " hashes of 32");
  }
  std::vector<Hash> hashes(width);
  for (unsigned i = 0; i < width; ++i) {
    std::copy_n(data.begin() + i * kHashSize, kHashSize, hashes[i].begin());
  }
  return hashes;
}

Bytes encode_hash_tile(std::span<const Hash> hashes) {
  Bytes out;
  out.reserve(hashes.size() * kHashSize);
  for (const Hash& h : hashes) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<std::vector<Bytes>> parse_entry_bundle(ByteSpan data, unsigned width) {
  std::vector<Bytes> entries;
  entries.reserve(width);
  std::size_t at = 0;
  for (unsigned i = 0; i < width; ++i) {
    if (data.size() - at < 2) {
      return malformed("entry bundle: ends inside the length of entry " + std::to_string(i));
    }
    const std::size_t length = (std::size_t{data[at]} << 8) | data[at + 1];
    at += 2;
    if (data.size() - at < length) {
      return malformed("entry bundle: entry " + std::to_string(i) + " is cut short");
    }
    entries.emplace_back(data.begin() + at, data.begin() + at + length);
    at += length;
  }
  if (at != data.size()) {
    return malformed("entry bundle: bytes after entry " + std::to_string(width - 1));
  }
  return entries;
}

Result<void> append_to_bundle(Bytes& bundle, ByteSpan entry) {
  if (entry.size() > kMaxEntrySize) {
    return Error(ErrorCode::kTooLarge, "log entry: " + std::to_string(entry.size()) +
                                           " bytes, at most 65535 fit a bundle");
  }
  bundle.push_back(static_cast<std::uint8_t>(entry.size() >> 8));
  bundle.push_back(static_cast<std::uint8_t>(entry.size() & 0xff));
  bundle.insert(bundle.end(), entry.begin(), entry.end());
  return {};
}

}  // namespace safehouse::tlog
