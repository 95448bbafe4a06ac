// SPDX-License-Identifier: AGPL-3.0-or-later
// store/direct_spool.h: writes a blob's bytes into a file and computes their
// SHA-256, the pack engine's way (store/pack_blob_store.h). Small blobs go
// as they come: pwrite through the page cache and hashed on the caller's
// thread, as most blobs are small and start no thread. Past kInlineBytes
// the bytes are copied into a few 1 MiB blocks, aligned in memory and in the
// file; one helper hashes each block from memory while another writes it
// around the page cache (O_DIRECT). On the test VM a buffered 1 GiB write
// cost 0.37-0.65 s of kernel CPU and a direct one 0.12 s, and hashing read
// back from the page cache cost another copy; on two cores that CPU is the
// upload's speed (bench/RESULTS.md, "Upload CPU, fifth look"). Where the
// file system refuses direct writes (kUnsupported), blocks are written
// through the page cache instead, with writeback started as they go.
#ifndef SAFEHOUSE_STORE_DIRECT_SPOOL_H_
#define SAFEHOUSE_STORE_DIRECT_SPOOL_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "crypto/sha256.h"
#include "store/file_system.h"

namespace safehouse::store {

// Thread safety: one writer thread calls add(), finish() and cancel(); the
// helpers are internal. `file` must outlive the spool and may be written
// elsewhere at the same time, but not in the ranges handed to add().
class DirectSpool {
 public:
  // Bytes written and hashed on the caller's thread before the helpers start.
  static constexpr std::uint64_t kInlineBytes = 4 << 20;
  // A block: what one helper hashes and the other writes at a time.
  static constexpr std::size_t kBlockBytes = 1 << 20;
  // Blocks per spool: 4 MiB of memory for each large upload while its
  // helpers run (freed when they stop).
  static constexpr std::size_t kBlocks = 4;
  // Spools with helpers at once across the process (two threads each); a
  // large blob that finds none free is written and hashed inline.
  static constexpr unsigned kMaxRunning = 4;

  explicit DirectSpool(RandomAccessFile& file, std::uint64_t inline_bytes = kInlineBytes);
  ~DirectSpool();  // cancel()
  DirectSpool(const DirectSpool&) = delete;
  DirectSpool& operator=(const DirectSpool&) = delete;

  // Writes `data` at `offset` of the file, now or from a block later, and
  // hashes it after every byte added before. A range that does not continue
  // the previous one should start at a multiple of
  // RandomAccessFile::kDirectAlignment (others are written inline). The
  // caller owns the file from the end of each range to the next multiple of
  // kDirectAlignment: a block's last write is padded with zeros up to it.
  // Errors (a write that failed, now or in a helper) are sticky.
  Result<void> add(std::uint64_t offset, ByteSpan data);
  // Writes what is in a block and waits until the helpers have written and
  // hashed everything added: the bytes are then in the file (not synced).
  Result<void> flush();
  // Writes what is still in a block, waits for the helpers, and returns the
  // digest of every byte added. Everything is then written (not synced).
  Result<crypto::Sha256Digest> finish();
  // Stops the helpers; what they had not written may never be.
  void cancel();

  // Bytes written around the page cache so far (tests).
  std::uint64_t direct_bytes() const;

 private:
  struct Block {
    std::unique_ptr<std::uint8_t, void (*)(void*)> bytes{nullptr, nullptr};
    std::uint64_t offset = 0;  // in the file
    std::size_t used = 0;
  };

  Result<void> write_inline(std::uint64_t offset, ByteSpan data);
  bool start_helpers();
  // The block being filled, started at `offset` once one is free.
  Result<Block*> open_block(std::uint64_t offset);
  void submit_block();
  void stop_helpers();
  void hash_blocks();
  void write_blocks();
  Result<void> write_block(const Block& block);

  RandomAccessFile& file_;
  const std::uint64_t inline_bytes_;
  std::uint64_t added_ = 0;
  bool inline_only_ = false;      // no helpers were free when wanted
  std::uint64_t hint_begin_ = 0;  // inline bytes not yet handed to writeback
  std::uint64_t hint_end_ = 0;
  crypto::Sha256 sha256_;      // the caller's, then the hasher's while it runs
  std::vector<Block> blocks_;  // a ring, while the helpers run
  Block* filling_ = nullptr;   // blocks_[submitted_ % kBlocks] while being filled
  std::thread hasher_;
  std::thread writer_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  // Block numbers: [written or hashed, submitted_) are with the helpers.
  std::uint64_t submitted_ = 0;
  std::uint64_t hashed_ = 0;
  std::uint64_t written_ = 0;
  bool direct_ = true;  // the writer helper's: false once the file system refused
  std::uint64_t direct_bytes_ = 0;
  bool stop_ = false;
  std::optional<Error> error_;
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_DIRECT_SPOOL_H_
