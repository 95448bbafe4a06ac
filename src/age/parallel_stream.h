// SPDX-License-Identifier: AGPL-3.0-or-later
// age/parallel_stream.h: the STREAM payload writer of age/stream.h, but
// sealing chunks on several threads (chunks are independent; only their
// order and the final flag tie them). Same bytes out as StreamWriter. Knows
// a payload key and byte streams; nothing of headers or of how many cores.
#ifndef SAFEHOUSE_AGE_PARALLEL_STREAM_H_
#define SAFEHOUSE_AGE_PARALLEL_STREAM_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "age/chunk_cipher.h"
#include "age/stream.h"
#include "base/byte_stream.h"
#include "crypto/secret_bytes.h"
#include "crypto/wiping_allocator.h"

namespace safehouse::age::detail {

// Upper bound on sealing threads, which also bounds memory: the writer holds
// kSlotsPerThread 64 KiB chunk buffers per thread.
inline constexpr unsigned kMaxSealThreads = 8;
inline constexpr unsigned kSlotsPerThread = 3;

// Encrypts what is written to it into `out`, byte for byte as StreamWriter
// does, with `threads` threads sealing chunks: threads - 1 workers plus the
// caller's thread, which seals while it waits for a free buffer. `out` is
// only ever called from the caller's thread, in chunk order. Whole chunks
// of a large write() may be sealed straight from the caller's bytes; write()
// returns only when none is still in use. finish() seals the last chunk and
// calls out.finish(). Errors are sticky. `threads` is clamped to
// [1, kMaxSealThreads].
class ParallelStreamWriter final : public ByteSink {
 public:
  ParallelStreamWriter(crypto::SecretBytes key, ByteSink& out, unsigned threads);
  ~ParallelStreamWriter() override;
  ParallelStreamWriter(const ParallelStreamWriter&) = delete;
  ParallelStreamWriter& operator=(const ParallelStreamWriter&) = delete;

  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;

 private:
  struct Slot {
    crypto::WipedBytes buf = crypto::WipedBytes(kEncryptedChunkBytes);  // plaintext until sealed
    // Plaintext to seal into `buf`: `buf` itself, or the caller's bytes of
    // the current write() (never kept past its return).
    const std::uint8_t* src = nullptr;
    std::size_t used = 0;
    bool last = false;
    bool sealed = false;
  };

  Slot& slot_of(std::uint64_t chunk) { return slots_[chunk % slots_.size()]; }
  void submit(bool last);
  Result<void> write_sealed(std::uint64_t must_write);
  Result<void> fail_on_error(Result<void> result);
  Result<void> write_oldest(std::unique_lock<std::mutex>& lock);
  void seal_claimed(std::unique_lock<std::mutex>& lock, ChunkCipher& cipher);
  void work(ChunkCipher& cipher);
  void stop_workers();

  // One libcrypto context per sealing thread ([0] is the caller's), made
  // before the workers start; the key lives only in them.
  std::vector<ChunkCipher> ciphers_;
  ByteSink& out_;
  std::size_t threads_ = 1;
  std::vector<Slot> slots_;
  std::vector<std::thread> workers_;

  // Chunk numbers (= nonce counters): [written_, claimed_) are being or have
  // been sealed, [claimed_, submitted_) wait for a sealer, and chunk
  // submitted_ is the one the caller is filling (slot_of(submitted_)).
  std::mutex mutex_;
  std::condition_variable work_cv_;    // workers: a chunk to claim, or stop
  std::condition_variable sealed_cv_;  // caller: a chunk got sealed
  std::uint64_t submitted_ = 0;
  std::uint64_t claimed_ = 0;
  bool stop_ = false;

  // Caller's thread only. Chunks before borrowed_end_ may read the caller's
  // bytes: write() returns only once they are written.
  std::uint64_t written_ = 0;
  std::uint64_t borrowed_end_ = 0;
  bool finished_ = false;
  Result<void> sticky_{};
};

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_PARALLEL_STREAM_H_
