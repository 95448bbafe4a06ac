// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/pack_blob_store_test.cpp: the pack engine keeps blobs whole
// and durable or absent (failed fsyncs, a full disk, abandoned writers, a
// torn index, crash leftovers), refuses tampered bytes, gives removed and
// abandoned bytes back to the file system, and creates no file per blob.
#include "store/pack_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "page_cache.h"
#include "store/faulty_file_system.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::cached_pages;
using testing::TempDir;

Bytes pattern(std::size_t n, unsigned seed = 7) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + seed + i / 977);
  return out;
}

Result<BlobRef> write_blob(BlobStore& store, ByteSpan data, std::size_t chunk = 100000) {
  auto writer = SAFEHOUSE_TRY(store.create_writer());
  for (std::size_t off = 0; off < data.size(); off += chunk) {
    SAFEHOUSE_TRY_VOID(writer->write(data.subspan(off, std::min(chunk, data.size() - off))));
  }
  SAFEHOUSE_TRY_VOID(writer->finish());
  return writer->result();
}

std::unique_ptr<PackBlobStore> open_or_die(const std::filesystem::path& dir, FileSystem& fs) {
  auto store = PackBlobStore::open(dir, fs);
  if (!store) ADD_FAILURE() << store.error().message();
  return store ? std::move(*store) : nullptr;
}

// Bytes the file system has allocated to the pack.
std::uint64_t allocated(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat((dir / "blobs" / kPackFileName).c_str(), &st) != 0) return ~0ull;
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

TEST(PackBlobStore, WritesAcrossSegmentsAndReadsBackAfterReopen) {
  TempDir dir;
  Bytes data = pattern(5 * 1024 * 1024 + 123);  // 1 + 2 + 4 MiB segments
  BlobRef ref;
  {
    auto store = open_or_die(dir.path(), FileSystem::posix());
    auto written = write_blob(*store, data, 65521);
    ASSERT_TRUE(written) << written.error().message();
    ref = *written;
    EXPECT_EQ(ref.sha256, sha256_of(data));
    EXPECT_EQ(ref.size, data.size());
    EXPECT_EQ(store->extents_of(ref.sha256)->size(), 3u);
    EXPECT_EQ(*store->read_blob(ref, 8 << 20), data);
  }
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_TRUE(*store->contains(ref));
  auto back = store->read_blob(ref, 8 << 20);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, data);
  EXPECT_FALSE(*store->contains(BlobRef{ref.sha256, ref.size + 1}));
}

// Invariant 2: writing blobs creates no file or folder (whose birth time
// would date the submission); the store's files all exist from the start.
TEST(PackBlobStore, WritingBlobsCreatesNoFile) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  auto list = [&] {
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
      paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  };
  auto before = list();
  for (unsigned i = 0; i < 3; ++i) ASSERT_TRUE(write_blob(*store, pattern(200000, i)));
  EXPECT_EQ(list(), before);
}

TEST(PackBlobStore, SameContentTwiceIsOneBlob) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  Bytes data = pattern(300000);
  auto a = write_blob(*store, data);
  std::uint64_t after_first = allocated(dir.path());
  auto b = write_blob(*store, data, 333);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(allocated(dir.path()), after_first) << "the second copy's bytes were kept";
}

TEST(PackBlobStore, ConcurrentWritersDoNotMix) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  std::vector<Bytes> data;
  for (unsigned i = 0; i < 4; ++i) data.push_back(pattern(3 * 1024 * 1024 + i, i));
  std::vector<Result<BlobRef>> refs(4, Error(ErrorCode::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { refs[i] = write_blob(*store, data[i], 4096 + i); });
  }
  for (auto& t : threads) t.join();
  for (unsigned i = 0; i < 4; ++i) {
    ASSERT_TRUE(refs[i]) << refs[i].error().message();
    EXPECT_EQ(*store->read_blob(*refs[i], 4 << 20), data[i]);
  }
}

TEST(PackBlobStore, SecondOpenSeesTheFirstOnesNewBlobs) {
  TempDir dir;
  auto first = open_or_die(dir.path(), FileSystem::posix());
  auto second = open_or_die(dir.path(), FileSystem::posix());  // like another process
  auto ref = write_blob(*first, pattern(100000));
  ASSERT_TRUE(ref);
  EXPECT_TRUE(*second->contains(*ref));
  EXPECT_EQ(*second->read_blob(*ref, 1 << 20), pattern(100000));
  ASSERT_TRUE(first->remove(ref->sha256));
  EXPECT_FALSE(*second->contains(*ref));
}

TEST(PackBlobStore, FailingPackSyncLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = open_or_die(dir.path(), fs);
  fs.fail_sync(1);  // the pack's fsync
  auto ref = write_blob(*store, pattern(400000));
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().code(), ErrorCode::kIo);
  EXPECT_FALSE(*store->contains(BlobRef{sha256_of(pattern(400000)), 400000}));
  EXPECT_LT(allocated(dir.path()), 64u * 1024) << "the failed blob's bytes stayed";
}

TEST(PackBlobStore, FailingIndexSyncFailsTheWriter) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = open_or_die(dir.path(), fs);
  fs.fail_sync(2);  // the index's fsync
  auto ref = write_blob(*store, pattern(400000));
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().code(), ErrorCode::kIo);
}

TEST(PackBlobStore, DiskFullMidWriteLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = open_or_die(dir.path(), fs);
  fs.set_space_left(1500000);
  auto ref = write_blob(*store, pattern(3000000));
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(allocated(dir.path()), 64u * 1024);
  fs.set_space_left(FaultyFileSystem::kNever);
  auto again = write_blob(*store, pattern(3000000));
  ASSERT_TRUE(again) << again.error().message();
}

TEST(PackBlobStore, ALargeBlobGoesAroundThePageCacheAndReadsBackWhole) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  const Bytes data = pattern((12 << 20) + 5);
  auto ref = write_blob(*store, data, 65552);
  ASSERT_TRUE(ref) << ref.error().message();
  // Only the first DirectSpool::kInlineBytes went through the page cache.
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t pack_bytes =
      static_cast<std::size_t>(std::filesystem::file_size(dir.path() / "blobs" / kPackFileName));
  EXPECT_LE(cached_pages(dir.path() / "blobs" / kPackFileName, pack_bytes) * page,
            (4u << 20) + page);
  auto source = store->open_blob(*ref);
  ASSERT_TRUE(source) << source.error().message();
  Bytes back;
  Bytes buffer(1 << 20);
  for (;;) {
    auto n = (*source)->read(buffer);
    ASSERT_TRUE(n) << n.error().message();  // the digest is checked at the end
    if (*n == 0) break;
    back.insert(back.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  EXPECT_EQ(back, data);
}

TEST(PackBlobStore, DiskFullPastTheInlineBytesLeavesNothing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = open_or_die(dir.path(), fs);
  fs.set_space_left(9 << 20);  // fails in a helper's direct write
  auto ref = write_blob(*store, pattern(16 << 20), 65552);
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(allocated(dir.path()), 64u * 1024);
  fs.set_space_left(FaultyFileSystem::kNever);
  auto again = write_blob(*store, pattern(16 << 20), 65552);
  ASSERT_TRUE(again) << again.error().message();
}

TEST(PackBlobStore, AbandonedWriterGivesItsBytesBack) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  {
    auto writer = *store->create_writer();
    ASSERT_TRUE(writer->write(pattern(2000000)));
  }
  EXPECT_LT(allocated(dir.path()), 64u * 1024);
}

TEST(PackBlobStore, RemoveGivesTheBytesBackDurably) {
  TempDir dir;
  BlobRef ref;
  {
    auto store = open_or_die(dir.path(), FileSystem::posix());
    auto keep = write_blob(*store, pattern(100000, 1));
    ref = *write_blob(*store, pattern(3000000, 2));
    std::uint64_t with_both = allocated(dir.path());
    ASSERT_TRUE(store->remove(ref.sha256));
    EXPECT_FALSE(*store->contains(ref));
    EXPECT_LT(allocated(dir.path()) + 2900000, with_both);
    EXPECT_EQ(store->remove(ref.sha256).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(*store->read_blob(*keep, 1 << 20), pattern(100000, 1));
  }
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_FALSE(*store->contains(ref));
  EXPECT_EQ(store->open_blob(ref).error().code(), ErrorCode::kNotFound);
}

TEST(PackBlobStore, TornIndexTailIsCutAtTheNextOpen) {
  TempDir dir;
  BlobRef ref;
  {
    auto store = open_or_die(dir.path(), FileSystem::posix());
    ref = *write_blob(*store, pattern(100000));
  }
  auto index = dir.path() / "blobs" / kPackIndexFileName;
  auto size = std::filesystem::file_size(index);
  std::ofstream(index, std::ios::binary | std::ios::app) << "SHP1\x01 a record cut by a crash";
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_EQ(std::filesystem::file_size(index), size);
  EXPECT_EQ(*store->read_blob(ref, 1 << 20), pattern(100000));
  // And the store goes on appending after it.
  auto next = write_blob(*store, pattern(200000, 3));
  ASSERT_TRUE(next);
  auto reopened = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_TRUE(*reopened->contains(*next));
}

TEST(PackBlobStore, CrashLeftoversArePunchedAtTheNextOpen) {
  TempDir dir;
  BlobRef ref;
  {
    auto store = open_or_die(dir.path(), FileSystem::posix());
    ref = *write_blob(*store, pattern(100000));
  }
  // Bytes a writer had written when the process died: no record names them.
  {
    std::ofstream pack(dir.path() / "blobs" / kPackFileName, std::ios::binary | std::ios::app);
    Bytes junk = pattern(3000000, 9);
    pack.write(reinterpret_cast<const char*>(junk.data()),
               static_cast<std::streamsize>(junk.size()));
  }
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_LT(allocated(dir.path()), 1u << 20);
  EXPECT_EQ(*store->read_blob(ref, 1 << 20), pattern(100000));
}

TEST(PackBlobStore, LeftoversStayWhileAnotherHolderIsOpen) {
  TempDir dir;
  auto first = open_or_die(dir.path(), FileSystem::posix());
  auto writer = *first->create_writer();  // an upload in flight
  ASSERT_TRUE(writer->write(pattern(2000000)));
  auto second = open_or_die(dir.path(), FileSystem::posix());
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(*second->read_blob(writer->result(), 4 << 20), pattern(2000000));
}

TEST(PackBlobStore, TamperedOrCutBytesAreAnIntegrityError) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  auto ref = *write_blob(*store, pattern(100000));
  auto extents = *store->extents_of(ref.sha256);
  {
    std::fstream pack(dir.path() / "blobs" / kPackFileName,
                      std::ios::binary | std::ios::in | std::ios::out);
    pack.seekp(static_cast<std::streamoff>(extents[0].offset + 500));
    pack.put('x');
  }
  EXPECT_EQ(store->read_blob(ref, 1 << 20).error().code(), ErrorCode::kIntegrity);
  std::filesystem::resize_file(dir.path() / "blobs" / kPackFileName, extents[0].offset + 1000);
  EXPECT_EQ(store->read_blob(ref, 1 << 20).error().code(), ErrorCode::kIntegrity);
}

TEST(PackBlobStore, DirectoryEngineDataIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "blobs" / "ff");
  auto store = PackBlobStore::open(dir.path(), FileSystem::posix());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kUnsupported);
}

TEST(PackBlobStore, UploadsAreUnsupported) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_EQ(store->create_upload().error().code(), ErrorCode::kUnsupported);
  EXPECT_TRUE(store->list_uploads()->empty());
}

}  // namespace
}  // namespace safehouse::store
