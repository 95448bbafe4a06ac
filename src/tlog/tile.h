// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/tile.h: C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile paths,
// hash tiles and entry bundles. Tiles have height 8: a tile at level L
// holds up to 256 consecutive hashes of Merkle level 8·L; a full tile has
// 256, a partial one 1..255 and is named `<N>.p/<W>`. Entry bundles hold the
// entries themselves, 256 to a full bundle, each as a big-endian uint16
// length and the bytes. Knows bytes and paths; nothing of storage.
#ifndef SAFEHOUSE_TLOG_TILE_H_
#define SAFEHOUSE_TLOG_TILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "tlog/merkle.h"

namespace safehouse::tlog {

inline constexpr unsigned kTileHeight = 8;
inline constexpr unsigned kTileWidth = 256;  // hashes or entries in a full tile
inline constexpr unsigned kMaxTileLevel = 63;
inline constexpr std::size_t kMaxEntrySize = 65535;  // the uint16 length prefix

struct TileId {
  bool entries = false;         // an entry bundle (tile/entries/...) rather than hashes
  unsigned level = 0;           // 0..kMaxTileLevel; 0 for entry bundles
  std::uint64_t index = 0;      // N: which tile of its level
  unsigned width = kTileWidth;  // 1..256; 256 = full

  bool full() const { return width == kTileWidth; }
  friend bool operator==(const TileId&, const TileId&) = default;
};

// "000", "x001/000", "x001/x234/067": N in 3-digit groups, all but the
// last prefixed with 'x'.
std::string encode_tile_index(std::uint64_t index);
// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
std::string tile_path(const TileId& tile);
// The inverse of tile_path, accepting only the canonical spelling (no
// leading zero groups, no width 0 or 256 after .p/, level <= 63).
Result<TileId> parse_tile_path(std::string_view path);

// The tile of `level` holding hash (or entry) number `index` of that level,
// at the width it has in a tree of `tree_size` leaves. Requires the hash to
// exist at that size.
TileId tile_for(bool entries, unsigned level, std::uint64_t index, std::uint64_t tree_size);

// A hash tile's bytes: width·32 bytes, nothing else.
Result<std::vector<Hash>> parse_hash_tile(ByteSpan data, unsigned width);
Bytes encode_hash_tile(std::span<const Hash> hashes);

// An entry bundle: exactly `width` length-prefixed entries, nothing after.
Result<std::vector<Bytes>> parse_entry_bundle(ByteSpan data, unsigned width);
// Appends one entry to a bundle; kTooLarge above kMaxEntrySize.
Result<void> append_to_bundle(Bytes& bundle, ByteSpan entry);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_TILE_H_
