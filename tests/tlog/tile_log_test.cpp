// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/tile_log_test.cpp: the tile-backed log. It must write exactly
// the files x/mod's generator wrote for the same entries (tiles-log vectors),
// read those files back to the same roots and proofs, keep appends O(log n),
// and refuse tampered tiles and bad paths.
#include "tlog/tile_log.h"

#include <gtest/gtest.h>

#include <random>

#include "tlog/checkpoint.h"
#include "tlog/dir_tile_store.h"
#include "tlog/memory_tile_store.h"
#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

const std::filesystem::path kTilesLog = data_dir() / "generated/tiles-log";

std::vector<Bytes> vector_entries(std::uint64_t from, std::uint64_t to) {
  std::vector<Bytes> entries;
  for (auto i = from; i < to; ++i)
    entries.push_back(bytes_of("tlog-vectors entry " + std::to_string(i)));
  return entries;
}

Checkpoint checkpoint_file(const std::string& name) {
  const std::string note = read_text(kTilesLog / name);
  return parse_checkpoint(parse_note(note).value().text).value();
}

// Every tile file of the vectors, by path.
std::map<std::string, Bytes> vector_tiles() {
  std::map<std::string, Bytes> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kTilesLog / "tile")) {
    if (!entry.is_regular_file()) continue;
    files[std::filesystem::relative(entry.path(), kTilesLog).string()] = read_bytes(entry.path());
  }
  return files;
}

TEST(TileLog, WritesExactlyTheVectorTiles) {
  MemoryTileStore store;
  auto log = TileLog::open(store, 0).value();
  ASSERT_TRUE(log.append(vector_entries(0, 600)));
  EXPECT_EQ(log.root().value(), checkpoint_file("checkpoint.600").root);
  ASSERT_TRUE(log.append(vector_entries(600, 1000)));
  EXPECT_EQ(log.root().value(), checkpoint_file("checkpoint.1000").root);
  std::map<std::string, Bytes> written(store.files().begin(), store.files().end());
  const auto expected = vector_tiles();
  ASSERT_EQ(expected.size(), 12u);
  EXPECT_EQ(written, expected);
}

TEST(TileLog, ReadsTheVectorTiles) {
  MemoryTileStore store;
  for (const auto& [path, data] : vector_tiles()) ASSERT_TRUE(store.write(path, data));
  const Checkpoint cp1000 = checkpoint_file("checkpoint.1000");
  const Checkpoint cp600 = checkpoint_file("checkpoint.600");
  auto log = TileLog::open(store, 1000, cp1000.root).value();
  EXPECT_EQ(log.root_at(600).value(), cp600.root);
  const auto vectors = read_json(kTilesLog / "vectors.json");
  std::vector<Hash> expected;
  for (const auto& h : vectors.at("consistency_600_1000").as_array())
    expected.push_back(hash_of(h.as_string()));
  const auto proof = log.prove_consistency(600, 1000).value();
  EXPECT_EQ(proof, expected);
  EXPECT_TRUE(verify_consistency(600, 1000, proof, cp600.root, cp1000.root));
  for (std::uint64_t i : {0, 255, 256, 599, 600, 999}) {
    const Bytes entry = log.entry(i).value();
    EXPECT_EQ(entry, bytes_of("tlog-vectors entry " + std::to_string(i)));
    EXPECT_EQ(log.leaf(i).value(), leaf_hash(entry));
    EXPECT_TRUE(verify_inclusion(i, 1000, leaf_hash(entry), log.prove_inclusion(i, 1000).value(),
                                 cp1000.root))
        << i;
    if (i < 600) {
      EXPECT_TRUE(verify_inclusion(i, 600, leaf_hash(entry), log.prove_inclusion(i, 600).value(),
                                   cp600.root))
          << i;
    }
  }
  // The older size opens from its own partial tiles too.
  EXPECT_TRUE(TileLog::open(store, 600, cp600.root));
}

TEST(TileLog, TamperedTilesAreDetected) {
  MemoryTileStore store;
  for (const auto& [path, data] : vector_tiles()) ASSERT_TRUE(store.write(path, data));
  const Checkpoint cp1000 = checkpoint_file("checkpoint.1000");
  // A rewritten hash in the rightmost level-0 tile.
  store.files()["tile/0/003.p/232"][5] ^= 1;
  auto opened = TileLog::open(store, 1000, cp1000.root);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kIntegrity);
  store.files()["tile/0/003.p/232"][5] ^= 1;
  // A partial tile cut short.
  store.files()["tile/1/000.p/3"].pop_back();
  opened = TileLog::open(store, 1000, cp1000.root);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kMalformed);
  // A missing tile.
  store.files().erase("tile/1/000.p/3");
  opened = TileLog::open(store, 1000);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kNotFound);
}

TEST(TileLog, AgreesWithInMemoryTreeAtEverySize) {
  MemoryTileStore store;
  auto log = TileLog::open(store, 0).value();
  std::vector<Hash> leaves;
  std::mt19937_64 random(7);
  std::uint64_t size = 0;
  std::vector<std::uint64_t> sizes;
  while (size < 66000) {
    // Batches of varied sizes, crossing tile and level boundaries.
    const std::uint64_t batch = 1 + random() % (size < 600 ? 7 : 9000);
    std::vector<Bytes> entries;
    for (std::uint64_t i = 0; i < batch; ++i) {
      entries.push_back(bytes_of("entry " + std::to_string(size + i)));
      leaves.push_back(leaf_hash(entries.back()));
    }
    ASSERT_TRUE(log.append(entries));
    size += batch;
    sizes.push_back(size);
    EXPECT_EQ(log.root().value(), root_of(leaves)) << size;
  }
  // Reopening at any earlier size (whose partial tiles were kept) agrees.
  for (std::size_t k = 0; k < sizes.size(); k += 7) {
    const auto n = sizes[k];
    const Hash root = root_of(std::span(leaves).first(n));
    EXPECT_EQ(log.root_at(n).value(), root);
    auto reopened = TileLog::open(store, n, root);
    ASSERT_TRUE(reopened) << n << ": " << reopened.error().message();
    for (std::uint64_t i : {std::uint64_t{0}, n / 3, n - 1}) {
      EXPECT_TRUE(verify_inclusion(i, n, leaves[i], log.prove_inclusion(i, n).value(), root));
    }
    EXPECT_TRUE(
        verify_consistency(n, size, log.prove_consistency(n, size).value(), root, root_of(leaves)));
  }
  // Level 2 exists: 65536 leaves make one level-2 hash.
  EXPECT_TRUE(store.files().contains("tile/1/000"));
  EXPECT_TRUE(store.files().contains("tile/2/000.p/1"));
}

TEST(TileLog, ForgetPartialsKeepsTheCurrentOnes) {
  MemoryTileStore store;
  auto log = TileLog::open(store, 0).value();
  ASSERT_TRUE(log.append(vector_entries(0, 600)));
  ASSERT_TRUE(log.append(vector_entries(600, 1000)));
  ASSERT_TRUE(log.forget_partials(600));
  EXPECT_FALSE(store.files().contains("tile/0/002.p/88"));
  EXPECT_FALSE(store.files().contains("tile/entries/002.p/88"));
  EXPECT_FALSE(store.files().contains("tile/1/000.p/2"));
  EXPECT_TRUE(store.files().contains("tile/0/003.p/232"));
  EXPECT_TRUE(TileLog::open(store, 1000, checkpoint_file("checkpoint.1000").root));
}

TEST(TileLog, RefusedBatchWritesNothing) {
  MemoryTileStore store;
  auto log = TileLog::open(store, 0).value();
  const std::vector<Bytes> batch = {bytes_of("fine"), Bytes(65536, 'x')};
  const auto appended = log.append(batch);
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code(), ErrorCode::kTooLarge);
  EXPECT_TRUE(store.files().empty());
  EXPECT_EQ(log.size(), 0u);
  EXPECT_FALSE(log.entry(0));
  EXPECT_FALSE(log.prove_inclusion(0, 1));
  EXPECT_FALSE(log.root_at(1));
}

void check_dir_store(DirTileStore::Durability durability) {
  const auto root = std::filesystem::path(::testing::TempDir()) / "tlog_dir_store";
  std::filesystem::remove_all(root);
  auto store = DirTileStore::open(root, DirTileStore::Options{durability}).value();
  auto log = TileLog::open(store, 0).value();
  ASSERT_TRUE(log.append(vector_entries(0, 1000)));
  ASSERT_TRUE(store.sync());
  for (const auto& [path, data] : vector_tiles()) {
    if (path.find(".p/") != std::string::npos && path != "tile/0/003.p/232" &&
        path != "tile/entries/003.p/232" && path != "tile/1/000.p/3") {
      continue;  // size-600 partials: this log went straight to 1000
    }
    EXPECT_EQ(read_bytes(root / path), data) << path;
  }
  // No temporary files are left behind.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    EXPECT_EQ(entry.path().string().find("~tmp"), std::string::npos);
  }
  auto reopened = TileLog::open(store, 1000, checkpoint_file("checkpoint.1000").root);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->entry(999).value(), bytes_of("tlog-vectors entry 999"));

  for (const char* bad : {"../escape", "/etc/passwd", "tile/0/../../x", "tile/0/000/../001",
                          "checkpoint/..", "tile/0/000.p/256", "tile/0/000.~tmp", ""}) {
    const auto written = store.write(bad, bytes_of("x"));
    ASSERT_FALSE(written) << bad;
    EXPECT_EQ(written.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(store.read(bad));
    EXPECT_FALSE(store.remove(bad));
  }
  EXPECT_FALSE(std::filesystem::exists(root.parent_path() / "escape"));
  ASSERT_TRUE(store.write(kCheckpointPath, bytes_of("cp\n")));
  EXPECT_EQ(store.read(kCheckpointPath).value(), bytes_of("cp\n"));
  EXPECT_EQ(store.read("tile/5/000").error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store.sync());
  std::filesystem::remove_all(root);
}

TEST(DirTileStore, LaysOutTheUrlsAndRefusesOtherPaths) {
  for (auto durability : {DirTileStore::Durability::kFileSystem,
                          DirTileStore::Durability::kEachFile, DirTileStore::Durability::kNone}) {
    SCOPED_TRACE(static_cast<int>(durability));
    check_dir_store(durability);
  }
}

}  // namespace
}  // namespace safehouse::tlog
