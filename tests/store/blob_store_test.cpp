// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/blob_store_test.cpp: blobs are whole and durable or absent —
// under fsync failures, a full disk and abandoned uploads — and a blob whose
// bytes do not match its name is refused on read.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>

#include "store/directory_blob_store.h"
#include "store/faulty_file_system.h"
#include "store/range_hasher.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::count_entries;
using testing::TempDir;

Bytes pattern(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return out;
}

Result<BlobRef> write_blob(BlobStore& store, ByteSpan data, std::size_t chunk = 1000) {
  auto writer = SAFEHOUSE_TRY(store.create_writer());
  for (std::size_t off = 0; off < data.size(); off += chunk) {
    SAFEHOUSE_TRY_VOID(writer->write(data.subspan(off, std::min(chunk, data.size() - off))));
  }
  SAFEHOUSE_TRY_VOID(writer->finish());
  return writer->result();
}

// Every file under blobs/ except the fan-out directories and the lock.
std::size_t count_blob_files(const std::filesystem::path& blobs) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(blobs)) {
    if (e.is_regular_file() && e.path().filename() != "LOCK") ++n;
  }
  return n;
}

TEST(BlobStore, WritesContentAddressedAndReadsBack) {
  TempDir dir;
  auto store = DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store) << store.error().message();
  Bytes data = pattern(100000);
  auto ref = write_blob(**store, data);
  ASSERT_TRUE(ref) << ref.error().message();
  Sha256 expected{};
  crypto_hash_sha256(expected.data(), data.data(), data.size());
  EXPECT_EQ(ref->sha256, expected);
  EXPECT_EQ(ref->size, data.size());
  std::string hex = to_hex(expected);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "blobs" / hex.substr(0, 2) / hex.substr(2)));
  EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 0u);
  auto back = (*store)->read_blob(*ref, 1 << 20);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, data);
  EXPECT_TRUE(*(*store)->contains(*ref));
}

// Past RangeHasher::kInlineBytes the digest is read back from the file and
// hashed on a helper thread while the writer appends: same digest, same bytes.
TEST(BlobStore, ALargeBlobIsHashedFromTheFileAsWritten) {
  TempDir dir;
  auto store = DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store) << store.error().message();
  Bytes data = pattern(3 * RangeHasher::kInlineBytes + 12345);
  auto ref = write_blob(**store, data, 65552);  // age's sealed chunk size
  ASSERT_TRUE(ref) << ref.error().message();
  Sha256 expected{};
  crypto_hash_sha256(expected.data(), data.data(), data.size());
  EXPECT_EQ(ref->sha256, expected);
  EXPECT_EQ(*(*store)->read_blob(*ref, data.size()), data);
}

TEST(BlobStore, DiskFullPastTheHelpersStartLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *DirectoryBlobStore::open(dir.path(), fs);
  fs.set_space_left(RangeHasher::kInlineBytes + (1 << 20));
  auto writer = *store->create_writer();
  const Bytes piece = pattern(1 << 20);
  Result<void> wrote;
  for (int i = 0; i < 8 && wrote; ++i) wrote = writer->write(piece);
  ASSERT_FALSE(wrote);
  EXPECT_EQ(wrote.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(writer->finish().error().code(), ErrorCode::kUnavailable);
  writer.reset();
  EXPECT_EQ(count_blob_files(dir.path() / "blobs"), 0u);
}

// Invariant 2: a blob file and its directories carry the day, not the
// exact time of the write (copies made with tar or rsync -a keep mtimes).
TEST(BlobStore, FileTimesAreDays) {
  TempDir dir;
  auto store = DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store) << store.error().message();
  auto ref = write_blob(**store, pattern(5000));
  ASSERT_TRUE(ref) << ref.error().message();
  std::string hex = to_hex(ref->sha256);
  const std::filesystem::path blob = dir.path() / "blobs" / hex.substr(0, 2) / hex.substr(2);
  for (const auto& path : {blob, blob.parent_path(), dir.path() / "blobs" / "tmp"}) {
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mtim.tv_sec % 86400, 0) << path << " has an exact modification time";
    EXPECT_EQ(st.st_mtim.tv_nsec, 0) << path;
    EXPECT_EQ(st.st_atim.tv_sec % 86400, 0) << path << " has an exact access time";
  }
}

TEST(BlobStore, SameContentTwiceIsOneBlob) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  Bytes data = pattern(5000);
  auto a = write_blob(*store, data);
  auto b = write_blob(*store, data, 333);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(count_blob_files(dir.path() / "blobs"), 1u);
}

TEST(BlobStore, FailingFileSyncLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *DirectoryBlobStore::open(dir.path(), fs);
  fs.fail_sync(1);  // the blob file's fsync
  auto ref = write_blob(*store, pattern(4096));
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().code(), ErrorCode::kIo);
  EXPECT_EQ(count_blob_files(dir.path() / "blobs"), 0u);
  EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 0u);
}

TEST(BlobStore, FailingDirectorySyncTakesTheNameBack) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *DirectoryBlobStore::open(dir.path(), fs);
  fs.fail_sync(2);  // after the file's fsync: the directory's
  auto ref = write_blob(*store, pattern(4096));
  ASSERT_FALSE(ref);
  EXPECT_EQ(count_blob_files(dir.path() / "blobs"), 0u);
}

TEST(BlobStore, DiskFullMidWriteLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *DirectoryBlobStore::open(dir.path(), fs);
  fs.set_space_left(2500);
  auto writer = *store->create_writer();
  EXPECT_TRUE(writer->write(pattern(1000)));
  EXPECT_TRUE(writer->write(pattern(1000)));
  auto full = writer->write(pattern(1000));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 0u);  // partial data gone at once
  // Errors are sticky.
  EXPECT_EQ(writer->write(pattern(1)).error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(writer->finish().error().code(), ErrorCode::kUnavailable);
  writer.reset();
  EXPECT_EQ(count_blob_files(dir.path() / "blobs"), 0u);
}

TEST(BlobStore, AbandonedWriterRemovesItsTemporaryFile) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  {
    auto writer = *store->create_writer();
    ASSERT_TRUE(writer->write(pattern(10)));
    EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 1u);
  }
  EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 0u);
  EXPECT_EQ(count_blob_files(dir.path() / "blobs"), 0u);
}

TEST(BlobStore, OpenRemovesLeftoversOfACrash) {
  TempDir dir;
  { auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix()); }
  std::ofstream(dir.path() / "blobs" / "tmp" / "0123.tmp") << "half an upload";
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 0u);
}

TEST(BlobStore, OpenKeepsTemporaryFilesWhileAnotherHolderIsOpen) {
  TempDir dir;
  auto first = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  auto writer = *first->create_writer();
  ASSERT_TRUE(writer->write(pattern(10)));
  auto second = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  EXPECT_EQ(count_entries(dir.path() / "blobs" / "tmp"), 1u);  // an upload in flight
  ASSERT_TRUE(writer->finish());
  EXPECT_TRUE(*second->contains(writer->result()));
}

TEST(BlobStore, ModifiedBlobIsAnIntegrityError) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  auto ref = *write_blob(*store, pattern(3000));
  {
    std::fstream f(store->path_of(ref.sha256), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1234);
    f.put('X');
  }
  auto read = store->read_blob(ref, 1 << 20);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code(), ErrorCode::kIntegrity);
  // Streaming reports it at the end instead of EOF.
  auto source = *store->open_blob(ref);
  Bytes buffer(1000);
  Result<std::size_t> n = std::size_t{1};
  while (n && *n > 0) n = source->read(buffer);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code(), ErrorCode::kIntegrity);
}

TEST(BlobStore, TruncatedOrExtendedBlobIsAnIntegrityError) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  auto ref = *write_blob(*store, pattern(3000));
  std::filesystem::resize_file(store->path_of(ref.sha256), 2999);
  EXPECT_EQ(store->read_blob(ref, 1 << 20).error().code(), ErrorCode::kIntegrity);
  std::filesystem::resize_file(store->path_of(ref.sha256), 3001);
  EXPECT_EQ(store->read_blob(ref, 1 << 20).error().code(), ErrorCode::kIntegrity);
}

TEST(BlobStore, MissingAndOversizedBlobs) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  BlobRef missing{sha256_of(as_bytes("nothing")), 7};
  EXPECT_EQ(store->read_blob(missing, 100).error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(*store->contains(missing));
  auto ref = *write_blob(*store, pattern(3000));
  EXPECT_EQ(store->read_blob(ref, 2999).error().code(), ErrorCode::kTooLarge);
  ASSERT_TRUE(store->remove(ref.sha256));
  EXPECT_FALSE(*store->contains(ref));
}

}  // namespace
}  // namespace safehouse::store
