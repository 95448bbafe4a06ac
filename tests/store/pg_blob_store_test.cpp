// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/pg_blob_store_test.cpp: the PostgreSQL blob engine — chunked
// round trips, sharing equal blobs, nothing left by an abandoned or failed
// writer, tampered chunks refused, and a store whose items name such blobs.
#include "store/pg_blob_store.h"

#include <gtest/gtest.h>

#include "engines.h"
#include "store/open_store.h"

namespace safehouse::store {
namespace {

using testing::Engine;
using testing::EngineDatabase;

constexpr Day kDay = 20261125;

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 31 + i / 7);
  return out;
}

class PgBlobStore : public ::testing::Test {
 protected:
  // The schema comes with the store.
  void SetUp() override {
    store_ = db_.open_or_die();
    ASSERT_TRUE(store_);
    auto blobs = open_pg_blob_store(db_.url());
    ASSERT_TRUE(blobs) << blobs.error().message();
    blobs_ = std::move(*blobs);
  }
  BlobRef put(ByteSpan data) {
    auto writer = *blobs_->create_writer();
    // Odd pieces, so that chunk boundaries fall inside writes.
    for (std::size_t at = 0; at < data.size(); at += 77777) {
      EXPECT_TRUE(writer->write(data.subspan(at, std::min<std::size_t>(77777, data.size() - at))));
    }
    auto finished = writer->finish();
    EXPECT_TRUE(finished) << (finished ? "" : finished.error().message());
    return writer->result();
  }

  EngineDatabase db_{Engine::kPostgres};
  std::unique_ptr<Store> store_;
  std::unique_ptr<BlobStore> blobs_;
};

TEST_F(PgBlobStore, ChunkedBlobsReadBackWhole) {
  for (std::size_t size : {std::size_t{1}, kPgBlobChunkBytes, 3 * kPgBlobChunkBytes + 12345}) {
    const Bytes data = pattern(size, static_cast<std::uint8_t>(size));
    const BlobRef ref = put(data);
    EXPECT_EQ(ref.sha256, sha256_of(data));
    EXPECT_EQ(ref.size, size);
    EXPECT_TRUE(*blobs_->contains(ref));
    EXPECT_EQ(*blobs_->read_blob(ref, size), data);
  }
  EXPECT_EQ(db_.sql("SELECT count(*) FROM blob_chunks"), "6");  // 1 + 1 + 4
}

TEST_F(PgBlobStore, EqualBlobsAreStoredOnce) {
  const Bytes data = pattern(2 * kPgBlobChunkBytes + 1, 5);
  EXPECT_EQ(put(data), put(data));
  EXPECT_EQ(db_.sql("SELECT count(*) FROM blobs"), "1");
  EXPECT_EQ(db_.sql("SELECT count(*) FROM blob_chunks"), "3");
}

TEST_F(PgBlobStore, AnAbandonedWriterLeavesNothing) {
  {
    auto writer = *blobs_->create_writer();
    ASSERT_TRUE(writer->write(pattern(3 * kPgBlobChunkBytes, 1)));
  }
  EXPECT_EQ(db_.sql("SELECT count(*) FROM blob_chunks"), "0");
  EXPECT_EQ(db_.sql("SELECT count(*) FROM blobs"), "0");
  EXPECT_EQ(blobs_->create_upload().error().code(), ErrorCode::kUnsupported);
}

TEST_F(PgBlobStore, MissingTamperedAndRemovedBlobs) {
  const Bytes data = pattern(kPgBlobChunkBytes + 10, 9);
  const BlobRef ref = put(data);
  BlobRef other = ref;
  other.sha256[0] ^= 1;
  EXPECT_FALSE(*blobs_->contains(other));
  EXPECT_EQ(blobs_->open_blob(other).error().code(), ErrorCode::kNotFound);
  BlobRef wrong_size = ref;
  wrong_size.size += 1;
  EXPECT_FALSE(*blobs_->contains(wrong_size));

  db_.sql("UPDATE blob_chunks SET data = decode(repeat('00', 10), 'hex') WHERE chunk = 1");
  EXPECT_EQ(blobs_->read_blob(ref, 1 << 22).error().code(), ErrorCode::kIntegrity);
  db_.sql("DELETE FROM blob_chunks WHERE chunk = 1");
  EXPECT_EQ(blobs_->read_blob(ref, 1 << 22).error().code(), ErrorCode::kIntegrity);

  ASSERT_TRUE(blobs_->remove(ref.sha256));
  EXPECT_FALSE(*blobs_->contains(ref));
  EXPECT_EQ(db_.sql("SELECT count(*) FROM blob_chunks"), "0");
  EXPECT_EQ(blobs_->remove(ref.sha256).error().code(), ErrorCode::kNotFound);
}

// open_store with a PostgreSQL database keeps blobs in it by default: an
// item's blob body is read back through a second server's store, which has
// no files of its own.
TEST_F(PgBlobStore, ItemsNameBlobsInTheDatabaseAcrossServers) {
  testing::TempDir first_dir, second_dir;
  auto first = open_store(first_dir.path(), db_.url(), "", FileSystem::posix());
  ASSERT_TRUE(first) << first.error().message();
  auto writer = *(*first)->blobs().create_writer();
  const Bytes data = pattern(200000, 3);
  ASSERT_TRUE(writer->write(data));
  ASSERT_TRUE(writer->finish());
  WriteBatch batch;
  SourceId id{};
  id.fill(7);
  batch.create_source(id, "amber-heron", kDay);
  const std::size_t c = batch.create_case(id, kDay);
  const std::size_t item =
      batch.add_item(CaseRef::created_by(c), Direction::kSource, writer->result(), kDay);
  auto committed = (*first)->commit(std::move(batch));
  ASSERT_TRUE(committed) << committed.error().message();

  auto second = open_store(second_dir.path(), db_.url(), "", FileSystem::posix());
  ASSERT_TRUE(second);
  EXPECT_EQ(*(*second)->read_item_body(committed->id(item), 1 << 20), data);
  EXPECT_EQ(open_store(second_dir.path(), "", kPostgresBlobs, FileSystem::posix()).error().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace safehouse::store
