// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/tile_test.cpp: tlog-tiles paths (the vectors' examples and
// canonical-only parsing), hash tiles and entry bundles, and malformed input.
#include "tlog/tile.h"

#include <gtest/gtest.h>

#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

TEST(Tile, PathExamplesFromVectors) {
  const auto vectors = read_json(data_dir() / "generated/tiles-log/vectors.json");
  const auto& examples = vectors.at("tile_path_examples").as_array();
  ASSERT_EQ(examples.size(), 6u);
  for (const auto& item : examples) {
    const auto& v = item.as_object();
    const std::int64_t level = v.at("level").to_number<std::int64_t>();
    TileId tile{level < 0, level < 0 ? 0u : static_cast<unsigned>(level),
                v.at("index").to_number<std::uint64_t>(),
                static_cast<unsigned>(v.at("width").to_number<unsigned>())};
    const std::string expected(v.at("c2sp_path").as_string());
    EXPECT_EQ(tile_path(tile), expected);
    EXPECT_EQ(parse_tile_path(expected).value(), tile) << expected;
  }
}

TEST(Tile, IndexEncoding) {
  EXPECT_EQ(encode_tile_index(0), "000");
  EXPECT_EQ(encode_tile_index(999), "999");
  EXPECT_EQ(encode_tile_index(1000), "x001/000");
  EXPECT_EQ(encode_tile_index(1234067), "x001/x234/067");
  EXPECT_EQ(encode_tile_index(UINT64_MAX), "x018/x446/x744/x073/x709/x551/615");
  EXPECT_EQ(parse_tile_path("tile/0/x018/x446/x744/x073/x709/x551/615").value().index, UINT64_MAX);
}

TEST(Tile, MalformedPathsAreRefused) {
  for (const char* path : {"",
                           "tile",
                           "tile/0",
                           "tile/0/",
                           "tile/00/000",
                           "tile/64/000",
                           "tile/-1/000",
                           "tile/0/00",
                           "tile/0/0000",
                           "tile/0/x000/001",
                           "tile/0/x1/000",
                           "tile/0/x001",
                           "tile/0/x001/",
                           "tile/0/000.p/0",
                           "tile/0/000.p/256",
                           "tile/0/000.p/07",
                           "tile/0/000.p/",
                           "tile/0/000.p",
                           "tile/0/000/",
                           "tile/0/000.q/1",
                           "tile/data/000",
                           "tile/entries/x000/000",
                           "tile/0/../../etc/passwd",
                           "tile/0/x018/x446/x744/x073/x709/x551/616",
                           "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
                           "/tile/0/000",
                           "tile/8/0/000"}) {
    const auto parsed = parse_tile_path(path);
    EXPECT_FALSE(parsed) << path;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
      EXPECT_TRUE(parsed.error().message().starts_with("tile path: ")) << path;
    }
  }
}

TEST(Tile, TileForSize) {
  // Size 1000: level 0 has tiles 0..2 full and 3 with 232; level 1 has 3 hashes.
  EXPECT_EQ(tile_for(false, 0, 0, 1000), (TileId{false, 0, 0, 256}));
  EXPECT_EQ(tile_for(false, 0, 999, 1000), (TileId{false, 0, 3, 232}));
  EXPECT_EQ(tile_for(false, 1, 2, 1000), (TileId{false, 1, 0, 3}));
  EXPECT_EQ(tile_for(true, 0, 600, 1000), (TileId{true, 0, 2, 256}));
  EXPECT_EQ(tile_for(true, 0, 599, 600), (TileId{true, 0, 2, 88}));
}

TEST(Tile, HashTiles) {
  const Bytes data = read_bytes(data_dir() / "generated/tiles-log/tile/1/000.p/3");
  const auto hashes = parse_hash_tile(data, 3).value();
  EXPECT_EQ(encode_hash_tile(hashes), data);
  auto wrong = parse_hash_tile(data, 2);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message(), "hash tile: 96 bytes, expected 2 hashes of 32");
  Bytes cut(data.begin(), data.end() - 1);
  EXPECT_FALSE(parse_hash_tile(cut, 3));
}

TEST(Tile, EntryBundles) {
  const Bytes data = read_bytes(data_dir() / "generated/tiles-log/tile/entries/003.p/232");
  const auto entries = parse_entry_bundle(data, 232).value();
  ASSERT_EQ(entries.size(), 232u);
  EXPECT_EQ(entries.front(), bytes_of("tlog-vectors entry 768"));
  EXPECT_EQ(entries.back(), bytes_of("tlog-vectors entry 999"));
  Bytes rebuilt;
  for (const auto& e : entries) ASSERT_TRUE(append_to_bundle(rebuilt, e));
  EXPECT_EQ(rebuilt, data);

  auto e = parse_entry_bundle(data, 233);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "entry bundle: ends inside the length of entry 232");
  e = parse_entry_bundle(data, 231);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "entry bundle: bytes after entry 230");
  e = parse_entry_bundle(Bytes{0x00, 0x05, 'a', 'b'}, 1);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "entry bundle: entry 0 is cut short");
  e = parse_entry_bundle(Bytes{0x00}, 1);
  EXPECT_FALSE(e);
  // Empty entries are allowed (length 0).
  EXPECT_EQ(parse_entry_bundle(Bytes{0x00, 0x00}, 1).value().front(), Bytes{});

  Bytes bundle;
  const auto too_big = append_to_bundle(bundle, Bytes(65536, 'x'));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code(), ErrorCode::kTooLarge);
  EXPECT_TRUE(bundle.empty());
  ASSERT_TRUE(append_to_bundle(bundle, Bytes(65535, 'x')));
  EXPECT_EQ(bundle.size(), 65537u);
}

}  // namespace
}  // namespace safehouse::tlog
