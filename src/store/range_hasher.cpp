// SPDX-License-Identifier: AGPL-3.0-or-later
// store/range_hasher.cpp: see range_hasher.h.
#include "store/range_hasher.h"

#include <algorithm>
#include <atomic>
#include <system_error>

namespace safehouse::store {
namespace {

// The helper's read buffer: one pread(2) a MiB of ciphertext (128 KiB made
// ~9,600 calls a GiB and measured no faster, bench/RESULTS.md,
// "Upload CPU, fourth look"); four uploads at once hold 4 MiB, well within
// the server's memory goal.
constexpr std::size_t kReadBytes = 1024 * 1024;

std::atomic<unsigned> helpers_running{0};

}  // namespace

RangeHasher::RangeHasher(RandomAccessFile& file, std::uint64_t inline_bytes,
                         std::uint64_t drop_lag_bytes)
    : file_(file), inline_bytes_(inline_bytes), drop_lag_bytes_(drop_lag_bytes) {}

RangeHasher::~RangeHasher() {
  cancel();
}

void RangeHasher::add(std::uint64_t offset, ByteSpan data) {
  if (data.empty()) return;
  added_ += data.size();
  if (!helper_.joinable()) {
    if (added_ > inline_bytes_ && !inline_only_ && !start_helper()) inline_only_ = true;
    if (!helper_.joinable()) {
      sha256_.update(data);
      return;
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (!ranges_.empty() && ranges_.back().offset + ranges_.back().length == offset) {
      ranges_.back().length += data.size();
    } else {
      ranges_.push_back({offset, data.size()});
    }
  }
  cv_.notify_one();
}

bool RangeHasher::start_helper() {
  unsigned running = helpers_running.load();
  do {
    if (running >= kMaxHelpers) return false;
  } while (!helpers_running.compare_exchange_weak(running, running + 1));
  try {
    helper_ = std::thread([this] { hash_ranges(); });
  } catch (const std::system_error&) {  // no thread to be had: hash inline
    helpers_running.fetch_sub(1);
    return false;
  }
  return true;
}

void RangeHasher::join_helper() {
  helper_.join();
  helpers_running.fetch_sub(1);
}

void RangeHasher::hash_ranges() {
  Bytes buffer(kReadBytes);
  std::deque<Range> hashed;  // read back, not yet dropped from the cache
  std::uint64_t hashed_bytes = 0;
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !ranges_.empty(); });
    if (stop_) return;  // finish() stops only when nothing is left; cancel() drops what is
    const std::uint64_t offset = ranges_.front().offset;
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(ranges_.front().length, buffer.size()));
    busy_ = true;
    lock.unlock();
    auto read = file_.read_at(offset, MutableByteSpan(buffer.data(), want));
    if (read && *read == want) {
      sha256_.update(ByteSpan(buffer.data(), want));
      hashed.push_back({offset, want});
      hashed_bytes += want;
      while (hashed_bytes > drop_lag_bytes_) {
        file_.drop_cached(hashed.front().offset, hashed.front().length);
        hashed_bytes -= hashed.front().length;
        hashed.pop_front();
      }
    }
    lock.lock();
    busy_ = false;
    if (stop_) return;  // cancelled meanwhile: the ranges are gone
    if (!read || *read != want) {
      error_ = read ? Error(ErrorCode::kIo, "blob digest: a written range read back short")
                    : read.error().with_context("blob digest");
      ranges_.clear();
      cv_.notify_all();
      return;
    }
    // add() only ever grows or appends at the back, so the front is still
    // the range this read came from.
    ranges_.front().offset += want;
    ranges_.front().length -= want;
    if (ranges_.front().length == 0) ranges_.pop_front();
    if (ranges_.empty()) cv_.notify_all();
  }
}

Result<crypto::Sha256Digest> RangeHasher::finish() {
  if (helper_.joinable()) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return error_.has_value() || (ranges_.empty() && !busy_); });
      stop_ = true;
    }
    cv_.notify_all();
    join_helper();
  }
  if (error_) return *error_;
  return sha256_.finish();
}

void RangeHasher::cancel() {
  if (!helper_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    ranges_.clear();
  }
  cv_.notify_all();
  join_helper();
}

}  // namespace safehouse::store
