// SPDX-License-Identifier: AGPL-3.0-or-later
// store/directory_blob_store.h: the directory blob engine — one file per
// blob, DIR/blobs/aa/bbbb… named by SHA-256 hex. A blob is written to
// DIR/blobs/tmp/<random>, fsynced, renamed into place and its directory
// fsynced, so a blob either exists whole and durable or not at all.
// Each blob's inode times (ctime, birth time) and its folder's date its
// writing: the pack engine (store/pack_blob_store.h) is the default.
// Knows files and digests; nothing of cases, items or SQL.
#ifndef SAFEHOUSE_STORE_DIRECTORY_BLOB_STORE_H_
#define SAFEHOUSE_STORE_DIRECTORY_BLOB_STORE_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "store/blob_store.h"
#include "store/file_system.h"
#include "store/types.h"

namespace safehouse::store {

class DirectoryBlobStore;

// The directory engine's writer (see BlobWriter).
class DirectoryBlobWriter final : public BlobWriter {
 public:
  ~DirectoryBlobWriter() override;
  DirectoryBlobWriter(const DirectoryBlobWriter&) = delete;
  DirectoryBlobWriter& operator=(const DirectoryBlobWriter&) = delete;

  Result<void> write(ByteSpan data) override;
  // fsync the file, rename it to its content address, fsync the directory.
  Result<void> finish() override;
  const BlobRef& result() const override;
  std::uint64_t size() const override { return size_; }
  Result<void> sync() override;

 private:
  friend class DirectoryBlobStore;
  struct Hasher;
  // `reader`: the same file opened again, from which a large blob's digest
  // is read back.
  DirectoryBlobWriter(DirectoryBlobStore& store, std::filesystem::path tmp_path,
                      std::unique_ptr<WritableFile> file, std::unique_ptr<RandomAccessFile> reader,
                      bool resumable);
  Result<void> fail(Error error);
  Result<void> publish();

  DirectoryBlobStore& store_;
  std::filesystem::path tmp_path_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<Hasher> hasher_;
  std::uint64_t size_ = 0;
  std::optional<Error> error_;
  std::optional<BlobRef> result_;
  const bool resumable_;
  std::unique_ptr<FileLock> lock_;  // resumable: one writer per upload
};

// The blob directory. Thread-safe: any number of writers and readers at once.
// Lifetime: the FileSystem outlives the store, which outlives its writers.
class DirectoryBlobStore final : public BlobStore {
 public:
  // Opens DIR/blobs, creating it, and removes temporary files that a crashed
  // process left — unless another process has the same directory open (an
  // advisory lock on DIR/blobs/LOCK tells), whose uploads are in flight.
  static Result<std::unique_ptr<DirectoryBlobStore>> open(const std::filesystem::path& dir,
                                                          FileSystem& fs);

  Result<std::unique_ptr<BlobWriter>> create_writer() override;
  Result<std::unique_ptr<ByteSource>> open_blob(const BlobRef& ref) override;
  Result<bool> contains(const BlobRef& ref) override;
  Result<void> remove(const Sha256& digest) override;

  // Uploads live in DIR/blobs/uploads/<id>. Resuming re-reads the bytes so
  // far to rebuild the digest, so keep a writer open between requests.
  Result<Upload> create_upload() override;
  Result<std::unique_ptr<BlobWriter>> resume_upload(std::string_view id) override;
  Result<void> abort_upload(std::string_view id) override;
  Result<std::vector<std::string>> list_uploads() override;

  const std::filesystem::path& directory() const { return dir_; }
  // DIR/blobs/aa/bbbb… for `digest`.
  std::filesystem::path path_of(const Sha256& digest) const;

 private:
  friend class DirectoryBlobWriter;
  DirectoryBlobStore(std::filesystem::path dir, FileSystem& fs, std::unique_ptr<FileLock> lock);
  Result<void> remove_leftovers();
  Result<std::filesystem::path> upload_path(std::string_view id) const;
  Result<std::unique_ptr<FileLock>> lock_upload(const std::filesystem::path& path);

  std::filesystem::path dir_;  // DIR/blobs
  FileSystem& fs_;
  std::unique_ptr<FileLock> lock_;  // held shared while open
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_DIRECTORY_BLOB_STORE_H_
