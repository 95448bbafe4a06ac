// SPDX-License-Identifier: AGPL-3.0-or-later
// store/range_hasher.h: the SHA-256 of a blob while it is being written,
// on a thread of its own once the blob is large. A blob's content address
// is the SHA-256 of all its bytes in order, which no two cores can share;
// hashed on the writer's thread it made a lone 1 GiB upload wait about
// 0.8 s of its 1.7 s for the digest (bench/RESULTS.md, "The blob's digest
// off the writer's thread"). The writer hands over each range it has just
// written: the first kInlineBytes are hashed at once on its own thread (most
// blobs are small and start no thread), the rest is read back from the file
// (the page cache) and hashed by a helper while the writer goes on. Once
// read back, a range is not needed in memory again soon: the helper asks
// the kernel to drop it from the page cache, kDropLagBytes behind, so that
// a 1 GiB upload does not leave 1 GiB of cache behind it (four uploads at
// once ran twice as fast on the test VM, where freshly used memory is
// slow: bench/RESULTS.md, "Upload CPU, fourth look").
#ifndef SAFEHOUSE_STORE_RANGE_HASHER_H_
#define SAFEHOUSE_STORE_RANGE_HASHER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "base/byte_stream.h"
#include "base/error.h"
#include "crypto/sha256.h"
#include "store/file_system.h"

namespace safehouse::store {

// Thread safety: one writer thread calls add(), finish() and cancel(); the
// helper is internal. `file` must outlive the hasher and may be written
// concurrently elsewhere (pread/pwrite), but not the ranges handed over.
class RangeHasher {
 public:
  // Bytes hashed on the caller's thread before the helper starts.
  static constexpr std::uint64_t kInlineBytes = 4 << 20;

  // Helpers running at once across all hashers: a flood of large uploads
  // (up to the listener's connection limit) must not become as many
  // threads. A blob that finds none free is hashed inline, as before.
  static constexpr unsigned kMaxHelpers = 4;

  // How far behind the read-back the helper drops ranges from the page
  // cache. The writer starts writeback every 8 MiB, and only clean pages
  // can be dropped; dirty ones are simply kept.
  static constexpr std::uint64_t kDropLagBytes = 32 << 20;

  explicit RangeHasher(RandomAccessFile& file, std::uint64_t inline_bytes = kInlineBytes,
                       std::uint64_t drop_lag_bytes = kDropLagBytes);
  ~RangeHasher();  // cancel()
  RangeHasher(const RangeHasher&) = delete;
  RangeHasher& operator=(const RangeHasher&) = delete;

  // `data` has just been written at `offset` of the file and stays there
  // (unchanged) until finish() or cancel() returned.
  void add(std::uint64_t offset, ByteSpan data);
  // Waits for the helper; the digest of every range added, in order. An
  // error if reading a range back failed or came back short.
  Result<crypto::Sha256Digest> finish();
  // Stops the helper without a digest (the ranges may be reused afterwards).
  void cancel();

 private:
  struct Range {
    std::uint64_t offset;
    std::uint64_t length;
  };
  // Starts the helper if one of kMaxHelpers is free; false otherwise.
  bool start_helper();
  void join_helper();
  void hash_ranges();

  RandomAccessFile& file_;
  const std::uint64_t inline_bytes_;
  const std::uint64_t drop_lag_bytes_;
  std::uint64_t added_ = 0;
  bool inline_only_ = false;  // no helper was free when one was wanted
  crypto::Sha256 sha256_;     // the caller's until the helper starts, then the helper's
  std::thread helper_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Range> ranges_;  // contiguous ranges merged, so it stays short
  bool busy_ = false;         // the helper holds a range outside the lock
  bool stop_ = false;
  std::optional<Error> error_;
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_RANGE_HASHER_H_
