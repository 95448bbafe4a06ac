// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/file_system_test.cpp: the POSIX FileSystem and the fault
// injector that the other store tests rely on.
#include "store/file_system.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "page_cache.h"
#include "store/faulty_file_system.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::cached_pages;
using testing::TempDir;

TEST(PosixFileSystem, WritesSyncsRenamesAndReadsBack) {
  TempDir dir;
  FileSystem& fs = FileSystem::posix();
  auto file = fs.create_file(dir.path() / "a");
  ASSERT_TRUE(file) << file.error().message();
  ASSERT_TRUE((*file)->append(as_bytes("hello ")));
  ASSERT_TRUE((*file)->append(as_bytes("world")));
  ASSERT_TRUE((*file)->sync());
  ASSERT_TRUE((*file)->close());
  ASSERT_TRUE(fs.rename(dir.path() / "a", dir.path() / "b"));
  ASSERT_TRUE(fs.sync_directory(dir.path()));
  EXPECT_FALSE(*fs.exists(dir.path() / "a"));
  EXPECT_EQ(*fs.file_size(dir.path() / "b"), 11u);
  auto bytes = fs.read_file(dir.path() / "b", 100);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "hello world");
  auto names = fs.list_directory(dir.path());
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{"b"});
}

TEST(PosixFileSystem, ReportsCodesCallersBranchOn) {
  TempDir dir;
  FileSystem& fs = FileSystem::posix();
  EXPECT_EQ(fs.read_file(dir.path() / "missing", 10).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs.remove(dir.path() / "missing").error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(fs.create_file(dir.path() / "x"));
  EXPECT_EQ(fs.create_file(dir.path() / "x").error().code(), ErrorCode::kConflict);
  auto big = *fs.create_file(dir.path() / "big");
  ASSERT_TRUE(big->append(Bytes(100, 7)));
  ASSERT_TRUE(big->close());
  EXPECT_EQ(fs.read_file(dir.path() / "big", 99).error().code(), ErrorCode::kTooLarge);
}

TEST(PosixFileSystem, CreatesNestedDirectoriesPrivately) {
  TempDir dir;
  auto nested = dir.path() / "a" / "b" / "c";
  ASSERT_TRUE(FileSystem::posix().create_directories(nested));
  ASSERT_TRUE(FileSystem::posix().create_directories(nested));  // idempotent
  auto perms = std::filesystem::status(nested).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_all, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none);
}

TEST(PosixFileSystem, DropCachedEvictsCleanPagesAndChangesNoByte) {
  TempDir dir;
  FileSystem& fs = FileSystem::posix();
  auto file = fs.open_random_access(dir.path() / "pack");
  ASSERT_TRUE(file) << file.error().message();
  constexpr std::size_t kSize = 4 << 20;
  Bytes data(kSize);
  for (std::size_t i = 0; i < kSize; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + i / 4099);
  ASSERT_TRUE((*file)->write_at(0, data));
  ASSERT_TRUE((*file)->sync());  // clean pages: the only kind a drop evicts
  const std::size_t before = cached_pages(dir.path() / "pack", kSize);
  ASSERT_GT(before, 0u) << "the pages just written should be cached";
  (*file)->drop_cached(kSize / 2, kSize / 2);
  EXPECT_LT(cached_pages(dir.path() / "pack", kSize), before);
  (*file)->drop_cached(0, kSize);
  EXPECT_EQ(cached_pages(dir.path() / "pack", kSize), 0u);
  Bytes back(kSize);
  auto read = (*file)->read_at(0, back);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, kSize);
  EXPECT_EQ(back, data);
}

TEST(PosixFileSystem, DirectWritesReachTheFileWithoutCachingAndStayCoherent) {
  TempDir dir;
  auto file = FileSystem::posix().open_random_access(dir.path() / "pack");
  ASSERT_TRUE(file) << file.error().message();
  constexpr std::size_t kSize = 2 << 20;
  constexpr std::size_t kAlign = RandomAccessFile::kDirectAlignment;
  std::unique_ptr<std::uint8_t, void (*)(void*)> buffer(
      static_cast<std::uint8_t*>(std::aligned_alloc(kAlign, kSize + kAlign)), std::free);
  ASSERT_NE(buffer, nullptr);
  auto fill = [&](unsigned seed) {
    for (std::size_t i = 0; i < kSize; ++i)
      buffer.get()[i] = static_cast<std::uint8_t>(i * 13 + seed);
    return Bytes(buffer.get(), buffer.get() + kSize);
  };
  ASSERT_TRUE((*file)->resize(4 << 20));  // as the pack engine reserves
  const Bytes first = fill(1);
  auto written = (*file)->write_direct_at(kAlign, ByteSpan(buffer.get(), kSize));
  ASSERT_TRUE(written) << written.error().message();
  // Around the page cache: nothing of the file is cached.
  EXPECT_EQ(cached_pages(dir.path() / "pack", 4 << 20), 0u);
  Bytes back(kSize);
  ASSERT_EQ(*(*file)->read_at(kAlign, back), kSize);
  EXPECT_EQ(back, first);
  // Now the range is cached (the read): a second direct write replaces it
  // there too, so readers never see the old bytes.
  const Bytes second = fill(2);
  ASSERT_TRUE((*file)->write_direct_at(kAlign, ByteSpan(buffer.get(), kSize)));
  ASSERT_EQ(*(*file)->read_at(kAlign, back), kSize);
  EXPECT_EQ(back, second);
  EXPECT_EQ(*(*file)->size(), 4u << 20);
  ASSERT_TRUE((*file)->sync());
}

TEST(PosixFileSystem, AMisalignedDirectWriteIsUnsupportedAndChangesNothing) {
  TempDir dir;
  auto file = *FileSystem::posix().open_random_access(dir.path() / "pack");
  constexpr std::size_t kAlign = RandomAccessFile::kDirectAlignment;
  std::unique_ptr<std::uint8_t, void (*)(void*)> buffer(
      static_cast<std::uint8_t*>(std::aligned_alloc(kAlign, 4 * kAlign)), std::free);
  std::memset(buffer.get(), 0xab, 4 * kAlign);
  ASSERT_TRUE(file->resize(4 * kAlign));
  // A buffer one byte off its alignment: the caller falls back to write_at.
  auto refused = file->write_direct_at(0, ByteSpan(buffer.get() + 1, kAlign));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnsupported);
  Bytes back(4 * kAlign);
  ASSERT_EQ(*file->read_at(0, back), 4 * kAlign);
  EXPECT_EQ(back, Bytes(4 * kAlign, 0));
}

TEST(PosixFileSystem, LockIsExclusiveAcrossHolders) {
  TempDir dir;
  auto first = *FileSystem::posix().open_lock(dir.path() / "LOCK");
  auto second = *FileSystem::posix().open_lock(dir.path() / "LOCK");
  ASSERT_TRUE(first->shared());
  EXPECT_FALSE(*second->try_exclusive());  // someone else holds it
  first.reset();
  EXPECT_TRUE(*second->try_exclusive());
}

TEST(FaultyFileSystem, FailsTheNthSyncOnly) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  fs.fail_sync(2);
  auto file = *fs.create_file(dir.path() / "f");
  EXPECT_TRUE(file->sync());
  auto failed = file->sync();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kIo);
  EXPECT_TRUE(fs.sync_directory(dir.path()));  // not sticky
  EXPECT_EQ(fs.syncs(), 3);
  EXPECT_EQ(fs.failed_syncs(), 1);
}

TEST(FaultyFileSystem, StickySyncFailureKeepsFailing) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  fs.fail_sync(1, /*sticky=*/true);
  EXPECT_FALSE(fs.sync_directory(dir.path()));
  EXPECT_FALSE(fs.sync_directory(dir.path()));
  fs.fail_sync(FaultyFileSystem::kNever);
  EXPECT_TRUE(fs.sync_directory(dir.path()));
}

TEST(FaultyFileSystem, RunsOutOfSpace) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  fs.set_space_left(10);
  auto file = *fs.create_file(dir.path() / "f");
  EXPECT_TRUE(file->append(Bytes(6, 1)));
  auto full = file->append(Bytes(6, 1));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(file->append(Bytes(4, 1)));
  EXPECT_EQ(fs.bytes_written(), 10);
  EXPECT_EQ(fs.check_database_io(DatabaseIo::kWrite, 1).error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace safehouse::store
