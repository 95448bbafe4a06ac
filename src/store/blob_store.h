// SPDX-License-Identifier: AGPL-3.0-or-later
// store/blob_store.h: content-addressed files for large age ciphertexts,
// DIR/blobs/aa/bbbb… named by SHA-256 hex. A blob is written to
// DIR/blobs/tmp/<random>, fsynced, renamed into place and its directory
// fsynced, so a blob either exists whole and durable or not at all.
// Knows files and digests; nothing of cases, items or SQL.
#ifndef SAFEHOUSE_STORE_BLOB_STORE_H_
#define SAFEHOUSE_STORE_BLOB_STORE_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "store/file_system.h"
#include "store/types.h"

namespace safehouse::store {

class BlobStore;

// Streams one blob to disk while hashing it. finish() makes it durable and
// final; result() then names it. On any error, and if destroyed before a
// successful finish(), the temporary file is removed: no partial data stays.
// Exception: a writer for a resumable upload (BlobStore::create_upload)
// keeps its bytes on error and on destruction, to be resumed.
// Errors are sticky. Not thread-safe: one writer per upload.
class BlobWriter final : public ByteSink {
 public:
  ~BlobWriter() override;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  Result<void> write(ByteSpan data) override;
  // fsync the file, rename it to its content address, fsync the directory.
  Result<void> finish() override;
  // Requires: finish() succeeded.
  const BlobRef& result() const;
  // Bytes written so far (for a resumed upload, including earlier sessions).
  std::uint64_t size() const { return size_; }
  // fsyncs what was written so far. For a resumable upload, those bytes
  // then survive a crash: acknowledge an upload offset only after this.
  Result<void> sync();

 private:
  friend class BlobStore;
  struct Hasher;
  BlobWriter(BlobStore& store, std::filesystem::path tmp_path, std::unique_ptr<WritableFile> file,
             bool resumable);
  Result<void> fail(Error error);
  Result<void> publish();

  BlobStore& store_;
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
// Lifetime: the FileSystem outlives the BlobStore, which outlives its writers.
class BlobStore {
 public:
  // Opens DIR/blobs, creating it, and removes temporary files that a crashed
  // process left — unless another process has the same directory open (an
  // advisory lock on DIR/blobs/LOCK tells), whose uploads are in flight.
  static Result<std::unique_ptr<BlobStore>> open(const std::filesystem::path& dir, FileSystem& fs);

  // Starts a new blob.
  Result<std::unique_ptr<BlobWriter>> create_writer();
  // Streams a blob. The source checks the size and SHA-256 as it goes and
  // fails with kIntegrity instead of returning its end if they do not match
  // (a caller that forwards bytes as they come must treat that as fatal).
  // kNotFound if there is no such blob.
  Result<std::unique_ptr<ByteSource>> open_blob(const BlobRef& ref);
  // Reads a whole blob of at most `max_bytes`, verified before it returns.
  Result<Bytes> read_blob(const BlobRef& ref, std::size_t max_bytes);
  // Whether a blob with this digest and size is in place.
  Result<bool> contains(const BlobRef& ref);
  // Deletes a blob (for purge). kNotFound if absent. Requires: no item
  // refers to it (equal ciphertexts share one blob).
  Result<void> remove(const Sha256& digest);

  // Resumable uploads (tus): the bytes live in DIR/blobs/uploads/<id> and
  // survive restarts (up to the last BlobWriter::sync()) until finish()
  // turns them into a blob or abort_upload() deletes them. Ids are 32
  // lower-case hex characters from the CSPRNG: knowing one is the right to
  // append to it. Expiring abandoned uploads is the caller's policy.
  struct Upload {
    std::string id;
    std::unique_ptr<BlobWriter> writer;
  };
  // Creates an empty upload, durably (its id survives a crash).
  Result<Upload> create_upload();
  // Reopens upload `id` to append at its end; writer->size() is the offset.
  // Re-reads the bytes so far to rebuild the digest, so keep a writer open
  // between requests and resume only after a restart or an eviction.
  // kMalformed for a malformed id, kNotFound if there is no such upload,
  // kConflict if another writer has it open.
  Result<std::unique_ptr<BlobWriter>> resume_upload(std::string_view id);
  // Deletes an unfinished upload. kNotFound if there is none.
  Result<void> abort_upload(std::string_view id);
  // Ids of the unfinished uploads.
  Result<std::vector<std::string>> list_uploads();

  const std::filesystem::path& directory() const { return dir_; }
  // DIR/blobs/aa/bbbb… for `digest`.
  std::filesystem::path path_of(const Sha256& digest) const;

 private:
  friend class BlobWriter;
  BlobStore(std::filesystem::path dir, FileSystem& fs, std::unique_ptr<FileLock> lock);
  Result<void> remove_leftovers();
  Result<std::filesystem::path> upload_path(std::string_view id) const;
  Result<std::unique_ptr<FileLock>> lock_upload(const std::filesystem::path& path);

  std::filesystem::path dir_;  // DIR/blobs
  FileSystem& fs_;
  std::unique_ptr<FileLock> lock_;  // held shared while open
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_BLOB_STORE_H_
