// SPDX-License-Identifier: AGPL-3.0-or-later
// store/blob_store.h: the abstract blob store — large age ciphertexts,
// content-addressed by SHA-256, written as a stream and durable before they
// can be referenced by an item. Engines (BlobEngine): the pack files
// (store/pack_blob_store.h, the default: no file is created per blob, so no
// inode time dates a submission), the directory of one file per blob
// (store/directory_blob_store.h) and, for installations on PostgreSQL,
// chunked rows. Knows bytes and digests; nothing of cases, items or SQL.
#ifndef SAFEHOUSE_STORE_BLOB_STORE_H_
#define SAFEHOUSE_STORE_BLOB_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/file_system.h"
#include "store/types.h"

namespace safehouse::store {

// Streams one blob into the store while hashing it. finish() makes it
// durable and final; result() then names it. On any error, and if destroyed
// before a successful finish(), its bytes are discarded: no partial blob
// stays. Exception: a writer for a resumable upload (create_upload) keeps
// its bytes on error and on destruction, to be resumed.
// Errors are sticky. Not thread-safe: one writer per upload.
// Lifetime: the BlobStore outlives its writers.
class BlobWriter : public ByteSink {
 public:
  ~BlobWriter() override = default;

  // write(ByteSpan) appends; finish() makes the blob durable (fsync) and
  // content-addressed: once it returns success, an item may name result().
  // Requires: finish() succeeded.
  virtual const BlobRef& result() const = 0;
  // Bytes written so far (for a resumed upload, including earlier sessions).
  virtual std::uint64_t size() const = 0;
  // Makes what was written so far durable. For a resumable upload, those
  // bytes then survive a crash: acknowledge an upload offset only after this.
  virtual Result<void> sync() = 0;
};

// Which engine keeps the blobs (docs/storage.md, "Blobs").
enum class BlobEngine {
  kPack,       // DIR/blobs/pack + DIR/blobs/index, files made when the store is created
  kDirectory,  // DIR/blobs/aa/bbbb…, one file per blob
};
// "pack" / "directory", as written in config.toml.
std::string_view blob_engine_name(BlobEngine engine);
// kInvalidArgument naming the accepted values for any other text.
Result<BlobEngine> parse_blob_engine(std::string_view text);

// Thread-safe: any number of writers and readers at once.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Starts a new blob.
  virtual Result<std::unique_ptr<BlobWriter>> create_writer() = 0;
  // Streams a blob. The source checks the size and SHA-256 as it goes and
  // fails with kIntegrity instead of returning its end if they do not match
  // (a caller that forwards bytes as they come must treat that as fatal).
  // kNotFound if there is no such blob.
  virtual Result<std::unique_ptr<ByteSource>> open_blob(const BlobRef& ref) = 0;
  // Reads a whole blob of at most `max_bytes` (kTooLarge beyond), verified
  // before it returns. Built on open_blob().
  Result<Bytes> read_blob(const BlobRef& ref, std::size_t max_bytes);
  // Whether a blob with this digest and size is stored (and durable).
  virtual Result<bool> contains(const BlobRef& ref) = 0;
  // Deletes a blob (for purge) so that its bytes are gone from the disk,
  // durably. kNotFound if absent. Requires: no item refers to it (equal
  // ciphertexts share one blob).
  virtual Result<void> remove(const Sha256& digest) = 0;

  // Resumable uploads (tus): the bytes survive restarts (up to the last
  // BlobWriter::sync()) until finish() turns them into a blob or
  // abort_upload() deletes them. Ids are 32 lower-case hex characters from
  // the CSPRNG: knowing one is the right to append to it. Expiring
  // abandoned uploads is the caller's policy. An engine without them
  // answers kUnsupported.
  struct Upload {
    std::string id;
    std::unique_ptr<BlobWriter> writer;
  };
  // Creates an empty upload, durably (its id survives a crash).
  virtual Result<Upload> create_upload() = 0;
  // Reopens upload `id` to append at its end; writer->size() is the offset.
  // kMalformed for a malformed id, kNotFound if there is no such upload,
  // kConflict if another writer has it open.
  virtual Result<std::unique_ptr<BlobWriter>> resume_upload(std::string_view id) = 0;
  // Deletes an unfinished upload. kNotFound if there is none.
  virtual Result<void> abort_upload(std::string_view id) = 0;
  // Ids of the unfinished uploads.
  virtual Result<std::vector<std::string>> list_uploads() = 0;

  // Called by the Store after each commit (invariant 2): sets the
  // modification time of every file the engine keeps back to the start of
  // the UTC day, which also sets their inode change time to now. So no
  // file's times date a submission other than the latest one, whichever
  // files that submission happened to write. Engines without files do
  // nothing. Best effort: a failure costs no data.
  virtual void restamp_times() {}
};

// Opens (creating on first use) the blob store of data directory `dir` with
// `engine`. Lifetime: `fs` outlives the store.
Result<std::unique_ptr<BlobStore>> open_blob_store(const std::filesystem::path& dir, FileSystem& fs,
                                                   BlobEngine engine);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_BLOB_STORE_H_
