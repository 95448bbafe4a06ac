// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/upload_test.cpp: resumable uploads keep their bytes across
// writers and restarts, resume at the right offset with the right digest,
// and refuse malformed, unknown or doubly-opened ids.
#include <gtest/gtest.h>

#include "store/directory_blob_store.h"
#include "store/faulty_file_system.h"
#include "store/range_hasher.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::TempDir;

Bytes pattern(std::size_t n, std::size_t offset = 0) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((offset + i) * 29 + 3);
  return out;
}

// A resumed upload past RangeHasher::kInlineBytes: the digest of what was
// there before the restart is rebuilt partly by the helper reading back.
TEST(Upload, ALargeUploadResumesWithTheRightDigest) {
  TempDir dir;
  const std::size_t before = 2 * RangeHasher::kInlineBytes + 777;
  const std::size_t after = RangeHasher::kInlineBytes + 999;
  std::string id;
  {
    auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
    auto upload = store->create_upload();
    ASSERT_TRUE(upload) << upload.error().message();
    id = upload->id;
    ASSERT_TRUE(upload->writer->write(pattern(before)));
    ASSERT_TRUE(upload->writer->sync());
  }
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  auto writer = store->resume_upload(id);
  ASSERT_TRUE(writer) << writer.error().message();
  EXPECT_EQ((*writer)->size(), before);
  ASSERT_TRUE((*writer)->write(pattern(after, before)));
  ASSERT_TRUE((*writer)->finish());
  EXPECT_EQ((*writer)->result().size, before + after);
  EXPECT_EQ((*writer)->result().sha256, sha256_of(pattern(before + after)));
}

TEST(Upload, ResumesAfterRestartAndFinishesIntoABlob) {
  TempDir dir;
  std::string id;
  {
    auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
    auto upload = store->create_upload();
    ASSERT_TRUE(upload) << upload.error().message();
    id = upload->id;
    EXPECT_EQ(id.size(), 32u);
    ASSERT_TRUE(upload->writer->write(pattern(70000)));
    ASSERT_TRUE(upload->writer->sync());
    // The connection drops: the writer goes away unfinished.
  }
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());  // a restart
  EXPECT_EQ(*store->list_uploads(), std::vector<std::string>{id});
  auto writer = store->resume_upload(id);
  ASSERT_TRUE(writer) << writer.error().message();
  EXPECT_EQ((*writer)->size(), 70000u);
  ASSERT_TRUE((*writer)->write(pattern(30000, 70000)));
  ASSERT_TRUE((*writer)->finish());
  BlobRef ref = (*writer)->result();
  EXPECT_EQ(ref.size, 100000u);
  EXPECT_EQ(ref.sha256, sha256_of(pattern(100000)));
  EXPECT_EQ(*store->read_blob(ref, 1 << 20), pattern(100000));
  EXPECT_TRUE(store->list_uploads()->empty());
  EXPECT_EQ(store->resume_upload(id).error().code(), ErrorCode::kNotFound);
}

TEST(Upload, OneWriterAtATime) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  auto upload = *store->create_upload();
  auto second = store->resume_upload(upload.id);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kConflict);
  upload.writer.reset();
  EXPECT_TRUE(store->resume_upload(upload.id));
}

TEST(Upload, RejectsMalformedAndUnknownIds) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  for (const char* bad : {"", "../../safehouse.sqlite3", "0123456789ABCDEF0123456789abcdef",
                          "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0"}) {
    EXPECT_EQ(store->resume_upload(bad).error().code(), ErrorCode::kMalformed) << bad;
    EXPECT_EQ(store->abort_upload(bad).error().code(), ErrorCode::kMalformed) << bad;
  }
  EXPECT_EQ(store->resume_upload(std::string(32, 'a')).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->abort_upload(std::string(32, 'a')).error().code(), ErrorCode::kNotFound);
}

TEST(Upload, AbortDeletesTheBytes) {
  TempDir dir;
  auto store = *DirectoryBlobStore::open(dir.path(), FileSystem::posix());
  auto upload = *store->create_upload();
  ASSERT_TRUE(upload.writer->write(pattern(10)));
  upload.writer.reset();
  ASSERT_TRUE(store->abort_upload(upload.id));
  EXPECT_TRUE(store->list_uploads()->empty());
}

TEST(Upload, DiskFullKeepsWhatWasWrittenForLater) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *DirectoryBlobStore::open(dir.path(), fs);
  auto upload = *store->create_upload();
  fs.set_space_left(1500);
  ASSERT_TRUE(upload.writer->write(pattern(1000)));
  EXPECT_EQ(upload.writer->write(pattern(1000, 1000)).error().code(), ErrorCode::kUnavailable);
  upload.writer.reset();
  fs.set_space_left(FaultyFileSystem::kNever);
  auto writer = *store->resume_upload(upload.id);
  EXPECT_EQ(writer->size(), 1000u);  // resume from what is on disk
  ASSERT_TRUE(writer->write(pattern(1000, 1000)));
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(writer->result().sha256, sha256_of(pattern(2000)));
}

TEST(Upload, FailedCreationLeavesNoUpload) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *DirectoryBlobStore::open(dir.path(), fs);
  fs.fail_sync(1);  // the uploads directory's fsync
  EXPECT_EQ(store->create_upload().error().code(), ErrorCode::kIo);
  EXPECT_TRUE(store->list_uploads()->empty());
}

}  // namespace
}  // namespace safehouse::store
