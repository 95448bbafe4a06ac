// SPDX-License-Identifier: AGPL-3.0-or-later
// store/direct_spool.cpp: see direct_spool.h.
#include "store/direct_spool.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace safehouse::store {
namespace {

constexpr std::uint64_t kAlignment = RandomAccessFile::kDirectAlignment;
// Inline bytes are handed to writeback every so often, as the POSIX
// WritableFile does, so that the fsync at the end waits for little.
constexpr std::uint64_t kWritebackBytes = 8 << 20;

std::atomic<unsigned> spools_running{0};

std::uint64_t round_up(std::uint64_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

}  // namespace

DirectSpool::DirectSpool(RandomAccessFile& file, std::uint64_t inline_bytes)
    : file_(file), inline_bytes_(inline_bytes) {}

DirectSpool::~DirectSpool() {
  cancel();
}

std::uint64_t DirectSpool::direct_bytes() const {
  std::lock_guard lock(mutex_);
  return direct_bytes_;
}

Result<void> DirectSpool::add(std::uint64_t offset, ByteSpan data) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return *error_;
  }
  if (!hasher_.joinable()) {
    std::uint64_t room = added_ < inline_bytes_ ? inline_bytes_ - added_ : 0;
    if (data.size() <= room || inline_only_) return write_inline(offset, data);
    SAFEHOUSE_TRY_VOID(write_inline(offset, data.first(room)));
    offset += room;
    data = data.subspan(room);
    if (!start_helpers()) {
      inline_only_ = true;
      return write_inline(offset, data);
    }
  }
  while (!data.empty()) {
    if (filling_ != nullptr && offset != filling_->offset + filling_->used) submit_block();
    if (filling_ == nullptr) {
      if (offset % kAlignment != 0) {
        // No block can start here: these bytes go inline, after the blocks.
        SAFEHOUSE_TRY_VOID(flush());
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(data.size(), round_up(offset) - offset));
        SAFEHOUSE_TRY_VOID(write_inline(offset, data.first(n)));
        offset += n;
        data = data.subspan(n);
        continue;
      }
      filling_ = SAFEHOUSE_TRY(open_block(offset));
    }
    std::size_t n = std::min(data.size(), kBlockBytes - filling_->used);
    std::memcpy(filling_->bytes.get() + filling_->used, data.data(), n);
    filling_->used += n;
    added_ += n;
    offset += n;
    data = data.subspan(n);
    if (filling_->used == kBlockBytes) submit_block();
  }
  return {};
}

Result<void> DirectSpool::write_inline(std::uint64_t offset, ByteSpan data) {
  if (data.empty()) return {};
  if (auto written = file_.write_at(offset, data); !written) {
    std::lock_guard lock(mutex_);
    error_ = written.error();
    return written;
  }
  sha256_.update(data);
  added_ += data.size();
  if (offset != hint_end_) {
    if (hint_end_ > hint_begin_) file_.start_writeback(hint_begin_, hint_end_ - hint_begin_);
    hint_begin_ = offset;
  }
  hint_end_ = offset + data.size();
  if (hint_end_ - hint_begin_ >= kWritebackBytes) {
    file_.start_writeback(hint_begin_, hint_end_ - hint_begin_);
    hint_begin_ = hint_end_;
  }
  return {};
}

bool DirectSpool::start_helpers() {
  unsigned running = spools_running.load();
  do {
    if (running >= kMaxRunning) return false;
  } while (!spools_running.compare_exchange_weak(running, running + 1));
  blocks_.resize(kBlocks);
  for (Block& block : blocks_) {
    block.bytes = {static_cast<std::uint8_t*>(std::aligned_alloc(kAlignment, kBlockBytes)),
                   std::free};
    if (block.bytes == nullptr) {
      blocks_.clear();
      spools_running.fetch_sub(1);
      return false;
    }
  }
  try {
    hasher_ = std::thread([this] { hash_blocks(); });
    writer_ = std::thread([this] { write_blocks(); });
  } catch (const std::system_error&) {  // no threads to be had: go on inline
    if (hasher_.joinable()) {
      stop_helpers();
    } else {
      spools_running.fetch_sub(1);
    }
    return false;
  }
  return true;
}

Result<DirectSpool::Block*> DirectSpool::open_block(std::uint64_t offset) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] {
    return error_.has_value() || submitted_ - std::min(hashed_, written_) < kBlocks;
  });
  if (error_) return *error_;
  Block& block = blocks_[submitted_ % kBlocks];
  block.offset = offset;
  block.used = 0;
  return &block;
}

void DirectSpool::submit_block() {
  // A direct write covers whole alignment units; the caller owns the rest
  // of the last one.
  std::size_t padded = static_cast<std::size_t>(round_up(filling_->used));
  std::memset(filling_->bytes.get() + filling_->used, 0, padded - filling_->used);
  filling_ = nullptr;
  {
    std::lock_guard lock(mutex_);
    ++submitted_;
  }
  cv_.notify_all();
}

Result<void> DirectSpool::flush() {
  if (!hasher_.joinable()) return {};
  if (filling_ != nullptr) submit_block();
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] {
    return error_.has_value() || (hashed_ == submitted_ && written_ == submitted_);
  });
  if (error_) return *error_;
  return {};
}

Result<crypto::Sha256Digest> DirectSpool::finish() {
  auto drained = flush();
  stop_helpers();
  if (!drained) return drained.error();
  {
    std::lock_guard lock(mutex_);
    if (error_) return *error_;
  }
  return sha256_.finish();
}

void DirectSpool::cancel() {
  stop_helpers();
}

void DirectSpool::stop_helpers() {
  if (!hasher_.joinable() && !writer_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (hasher_.joinable()) hasher_.join();
  if (writer_.joinable()) writer_.join();
  // The blocks go with the helpers, so that at most kMaxRunning spools hold
  // them, however long finished writers live before their commit.
  filling_ = nullptr;
  blocks_.clear();
  spools_running.fetch_sub(1);
}

void DirectSpool::hash_blocks() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || hashed_ < submitted_; });
    if (stop_) return;
    const Block& block = blocks_[hashed_ % kBlocks];
    lock.unlock();
    sha256_.update(ByteSpan(block.bytes.get(), block.used));
    lock.lock();
    ++hashed_;
    cv_.notify_all();
  }
}

void DirectSpool::write_blocks() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || written_ < submitted_; });
    if (stop_) return;
    const Block& block = blocks_[written_ % kBlocks];
    if (!error_) {  // after a failed write, the rest is not written
      lock.unlock();
      auto written = write_block(block);
      lock.lock();
      if (!written && !error_) error_ = written.error();
    }
    ++written_;
    cv_.notify_all();
  }
}

// On the writer helper only.
Result<void> DirectSpool::write_block(const Block& block) {
  if (direct_) {
    ByteSpan padded(block.bytes.get(), static_cast<std::size_t>(round_up(block.used)));
    auto written = file_.write_direct_at(block.offset, padded);
    if (written) {
      std::lock_guard lock(mutex_);
      direct_bytes_ += block.used;
      return {};
    }
    if (written.error().code() != ErrorCode::kUnsupported) return written;
    direct_ = false;  // through the page cache from now on
  }
  SAFEHOUSE_TRY_VOID(file_.write_at(block.offset, ByteSpan(block.bytes.get(), block.used)));
  file_.start_writeback(block.offset, block.used);
  return {};
}

}  // namespace safehouse::store
