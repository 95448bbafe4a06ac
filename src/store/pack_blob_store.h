// SPDX-License-Identifier: AGPL-3.0-or-later
// store/pack_blob_store.h: the pack blob engine (the default). Every blob's
// bytes go into one pack file, DIR/blobs/pack, and its location into an
// append-only index, DIR/blobs/index; both files are made when the store is
// first opened (`safehouse init`), never by a submission. So no inode is
// born, and no folder changes, when a source submits: the only times a
// submission leaves are the pack's and index's mtime/ctime, which the next
// commit overwrites (BlobStore::restamp_times). docs/storage.md ("Blobs")
// says why this design and what it costs.
//
// Pack: writers reserve segments at its end (1 MiB, doubling up to 64 MiB;
// the file is grown with ftruncate under a lock, so several writers, even in
// several processes, append at once without sharing a segment) and write
// into them through a DirectSpool (pwrite for the first 4 MiB, then direct
// writes of aligned 1 MiB blocks). A finished blob's unused segment tail, an
// abandoned writer's segments and a removed blob's bytes are punched out
// (fallocate PUNCH_HOLE): the blocks go back to the file system.
// Index: records of 16-byte header, payload and SHA-256 checksum; "put"
// names a digest, its size and its extents, "remove" a digest. Read whole at
// open (kept in memory, about 100 bytes a blob) and followed on each lookup, so
// another process's new and removed blobs are seen. A torn last record (a crash) is
// ignored, and cut off by the next process that opens the store alone, which
// also punches every pack range no live blob uses (crash leftovers).
// Durability: finish() fdatasyncs the pack, then appends the put record and
// fdatasyncs the index; only then does contains() say yes.
// Resumable uploads are not implemented here (kUnsupported): no route serves
// them yet.
#ifndef SAFEHOUSE_STORE_PACK_BLOB_STORE_H_
#define SAFEHOUSE_STORE_PACK_BLOB_STORE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/blob_store.h"
#include "store/file_system.h"
#include "store/thread_annotations.h"
#include "store/types.h"

namespace safehouse::store {

inline constexpr const char* kPackFileName = "pack";
inline constexpr const char* kPackIndexFileName = "index";

// A run of a blob's bytes in the pack.
struct PackExtent {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  friend bool operator==(const PackExtent&, const PackExtent&) = default;
};

class PackBlobStore final : public BlobStore {
 public:
  // Opens DIR/blobs/{pack,index}, creating them (and DIR/blobs) on first
  // use. When no other process has the store open, also cuts a torn index
  // tail and punches the pack ranges no blob uses. kUnsupported if DIR/blobs
  // holds the directory engine's blobs.
  static Result<std::unique_ptr<PackBlobStore>> open(const std::filesystem::path& dir,
                                                     FileSystem& fs);
  ~PackBlobStore() override;

  Result<std::unique_ptr<BlobWriter>> create_writer() override;
  Result<std::unique_ptr<ByteSource>> open_blob(const BlobRef& ref) override;
  Result<bool> contains(const BlobRef& ref) override;
  Result<void> remove(const Sha256& digest) override;
  Result<Upload> create_upload() override;
  Result<std::unique_ptr<BlobWriter>> resume_upload(std::string_view id) override;
  Result<void> abort_upload(std::string_view id) override;
  Result<std::vector<std::string>> list_uploads() override;
  void restamp_times() override;

  // How many blobs are stored (tests count them).
  Result<std::size_t> blob_count();
  // Where a blob's bytes are (tests use it to tamper with them).
  Result<std::vector<PackExtent>> extents_of(const Sha256& digest);
  const std::filesystem::path& directory() const { return dir_; }

 private:
  friend class PackBlobWriter;
  struct Entry {
    std::uint64_t size = 0;
    std::vector<PackExtent> extents;
  };

  PackBlobStore(std::filesystem::path dir, FileSystem& fs, std::unique_ptr<FileLock> lock,
                std::shared_ptr<RandomAccessFile> pack, std::unique_ptr<RandomAccessFile> index,
                std::unique_ptr<FileLock> pack_lock, std::unique_ptr<FileLock> index_lock);

  // A new segment of `length` bytes at the pack's end, 4 KiB aligned.
  Result<PackExtent> reserve(std::uint64_t length) EXCLUDES(reserve_mu_);
  // Makes the blob findable, durably (index record + fdatasync). false if an
  // identical blob was there already (the caller then frees its bytes).
  Result<bool> publish(const BlobRef& ref, const std::vector<PackExtent>& extents) EXCLUDES(mu_);
  // Punches `extents` (best effort: a leftover is punched at the next
  // exclusive open).
  void release(const std::vector<PackExtent>& extents);
  Result<std::optional<Entry>> find(const Sha256& digest) EXCLUDES(mu_);
  // Reads index records from index_end_ on. Stops at the first incomplete
  // or invalid one; returns whether it reached the end of the file.
  Result<bool> refresh() REQUIRES(mu_);
  Result<void> append_record(std::uint8_t kind, ByteSpan payload) REQUIRES(mu_);
  // Exclusive open only: cut a torn index tail, punch unused pack ranges.
  Result<void> recover() EXCLUDES(mu_);

  const std::filesystem::path dir_;  // DIR/blobs
  FileSystem& fs_;
  std::unique_ptr<FileLock> lock_;  // DIR/blobs/LOCK, shared while open
  std::shared_ptr<RandomAccessFile> pack_;
  std::unique_ptr<RandomAccessFile> index_;

  Mutex reserve_mu_;
  std::unique_ptr<FileLock> pack_lock_ GUARDED_BY(reserve_mu_);  // between processes

  Mutex mu_;
  std::unique_ptr<FileLock> index_lock_ GUARDED_BY(mu_);  // between processes
  std::map<Sha256, Entry> entries_ GUARDED_BY(mu_);
  std::uint64_t index_end_ GUARDED_BY(mu_) = 0;  // records before this are in entries_
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_PACK_BLOB_STORE_H_
