// SPDX-License-Identifier: AGPL-3.0-or-later
// age/parallel_stream.cpp: a ring of chunk buffers shared by the caller and
// a few sealing threads under one mutex. The caller fills, submits and
// writes out in chunk order; anyone seals. Holding the filled buffer back
// until more data arrives keeps StreamWriter's final-chunk rules exactly.
#include "age/parallel_stream.h"

#include <algorithm>
#include <cstring>
#include <system_error>

namespace safehouse::age::detail {

ParallelStreamWriter::ParallelStreamWriter(crypto::SecretBytes key, ByteSink& out, unsigned threads)
    : out_(out) {
  threads = std::clamp(threads, 1u, kMaxSealThreads);
  threads_ = threads;
  slots_.resize(std::size_t{threads} * kSlotsPerThread);
  ciphers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) ciphers_.emplace_back(key);
  workers_.reserve(threads);  // so that only thread creation can throw below
  try {
    for (unsigned i = 1; i < threads; ++i) {
      workers_.emplace_back([this, i] { work(ciphers_[i]); });
    }
  } catch (const std::system_error&) {
    // No more threads: still correct, since the caller seals whatever no
    // worker has claimed; only slower.
  }
}

ParallelStreamWriter::~ParallelStreamWriter() {
  stop_workers();
}

Result<void> ParallelStreamWriter::write(ByteSpan data) {
  if (!sticky_) return sticky_;
  if (finished_) return Error(ErrorCode::kInternal, "payload: write after finish");
  while (!data.empty()) {
    // The caller owns slot_of(submitted_) alone until it submits it.
    Slot& slot = slot_of(submitted_);
    // A full buffer is submitted only once more data arrives: until then
    // it might be the final chunk.
    if (slot.used == kChunkBytes) {
      submit(false);
      SAFEHOUSE_TRY_VOID(fail_on_error(write_sealed(0)));
      continue;
    }
    // Fast path: a whole chunk that is surely not the last one is sealed
    // straight from the caller's bytes, saving a copy (16% of encrypt CPU in
    // perf). The last `threads` chunks of a write are copied all the same:
    // they keep every thread busy while write() waits for borrowed ones.
    if (slot.used == 0 && data.size() >= kChunkBytes * (threads_ + 1)) {
      slot.src = data.data();
      slot.used = kChunkBytes;
      data = data.subspan(kChunkBytes);
      borrowed_end_ = submitted_ + 1;
      submit(false);
      SAFEHOUSE_TRY_VOID(fail_on_error(write_sealed(0)));
      continue;
    }
    std::size_t n = std::min(data.size(), kChunkBytes - slot.used);
    std::memcpy(slot.buf.data() + slot.used, data.data(), n);
    slot.used += n;
    data = data.subspan(n);
  }
  // The caller may reuse its bytes once this returns.
  return fail_on_error(write_sealed(borrowed_end_));
}

Result<void> ParallelStreamWriter::finish() {
  if (!sticky_) return sticky_;
  if (finished_) return Error(ErrorCode::kInternal, "payload: finish called twice");
  finished_ = true;
  // An empty final chunk happens only for an empty payload, as in
  // StreamWriter: a full chunk is always held back as the possible last.
  submit(true);
  SAFEHOUSE_TRY_VOID(fail_on_error(write_sealed(submitted_)));
  stop_workers();
  sticky_ = out_.finish();
  return sticky_;
}

Result<void> ParallelStreamWriter::fail_on_error(Result<void> result) {
  if (result) return result;
  sticky_ = std::move(result);
  // Joined workers no longer read chunks borrowed from the caller's bytes,
  // which may go away as soon as the failing call returns.
  stop_workers();
  return sticky_;
}

void ParallelStreamWriter::submit(bool last) {
  {
    std::lock_guard lock(mutex_);
    Slot& slot = slot_of(submitted_);
    if (slot.src == nullptr) slot.src = slot.buf.data();
    slot.last = last;
    ++submitted_;
  }
  work_cv_.notify_one();
}

// Writes out sealed chunks in order. Waits (sealing unclaimed chunks itself
// meanwhile) while the ring has no free slot for the next chunk or chunks
// before `must_write` are unwritten.
Result<void> ParallelStreamWriter::write_sealed(std::uint64_t must_write) {
  std::unique_lock lock(mutex_);
  while (written_ < submitted_) {
    Slot& oldest = slot_of(written_);
    if (!oldest.sealed) {
      bool must_wait = written_ < must_write || submitted_ - written_ >= slots_.size();
      if (!must_wait) return {};
      if (claimed_ < submitted_) {
        seal_claimed(lock, ciphers_[0]);
      } else {
        // Every submitted chunk is claimed, so a worker is sealing `oldest`.
        sealed_cv_.wait(lock, [&] { return oldest.sealed; });
      }
      continue;
    }
    SAFEHOUSE_TRY_VOID(write_oldest(lock));
  }
  return {};
}

Result<void> ParallelStreamWriter::write_oldest(std::unique_lock<std::mutex>& lock) {
  Slot& slot = slot_of(written_);
  lock.unlock();
  auto result = out_.write(ByteSpan(slot.buf).first(slot.used + kAeadTagBytes));
  lock.lock();
  // Plaintext is not wiped: it is the caller's data, not key material.
  slot.src = nullptr;
  slot.used = 0;
  slot.last = false;
  slot.sealed = false;
  ++written_;
  return result;
}

void ParallelStreamWriter::seal_claimed(std::unique_lock<std::mutex>& lock, ChunkCipher& cipher) {
  std::uint64_t chunk = claimed_++;
  Slot& slot = slot_of(chunk);
  lock.unlock();
  cipher.seal(chunk_nonce(chunk, slot.last), slot.src, slot.used, slot.buf.data());
  lock.lock();
  slot.sealed = true;
  sealed_cv_.notify_one();
}

void ParallelStreamWriter::work(ChunkCipher& cipher) {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stop_ || claimed_ < submitted_; });
    if (stop_) return;
    seal_claimed(lock, cipher);
  }
}

void ParallelStreamWriter::stop_workers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

}  // namespace safehouse::age::detail
