// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/direct_spool_test.cpp: whatever way a DirectSpool takes — inline
// through the page cache, blocks written around it, blocks through it where
// the file refuses direct writes — the file ends up holding every byte at its
// offset and the digest is the SHA-256 of the bytes in the order added.
// Direct writes are whole aligned units; a failed write is sticky and never
// gives a digest; beyond kMaxRunning spools a large blob is written inline.
#include "store/direct_spool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <vector>

namespace safehouse::store {
namespace {

constexpr std::uint64_t kAlign = RandomAccessFile::kDirectAlignment;

// A file in memory that records how it was written, and can refuse direct
// writes or fail the Nth write of either kind.
class MemoryFile final : public RandomAccessFile {
 public:
  struct Write {
    bool direct;
    std::uint64_t offset;
    std::size_t length;
    bool aligned_buffer;
  };

  Result<void> write_at(std::uint64_t offset, ByteSpan data) override {
    return store(false, offset, data);
  }
  Result<void> write_direct_at(std::uint64_t offset, ByteSpan data) override {
    if (!direct_) return Error(ErrorCode::kUnsupported, "direct write: refused");
    return store(true, offset, data);
  }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteSpan data) override {
    std::lock_guard lock(mutex_);
    if (offset >= bytes_.size()) return std::size_t{0};
    std::size_t n = std::min<std::size_t>(data.size(), bytes_.size() - offset);
    std::memcpy(data.data(), bytes_.data() + offset, n);
    return n;
  }
  Result<void> sync() override { return {}; }
  Result<std::uint64_t> size() override {
    std::lock_guard lock(mutex_);
    return bytes_.size();
  }
  Result<void> resize(std::uint64_t size) override {
    std::lock_guard lock(mutex_);
    bytes_.resize(size);
    return {};
  }
  Result<void> punch_hole(std::uint64_t, std::uint64_t) override {
    return Error(ErrorCode::kUnsupported, "punch_hole");
  }
  void start_writeback(std::uint64_t, std::uint64_t) override { writebacks_.fetch_add(1); }

  Bytes bytes(std::uint64_t offset, std::size_t length) {
    std::lock_guard lock(mutex_);
    if (bytes_.size() < offset + length) return {};
    return Bytes(bytes_.begin() + offset, bytes_.begin() + offset + length);
  }
  std::vector<Write> writes() {
    std::lock_guard lock(mutex_);
    return writes_;
  }

  bool direct_ = true;
  int fail_write_ = -1;  // the index of the write that fails with a full disk
  std::atomic<int> writebacks_ = 0;

 private:
  Result<void> store(bool direct, std::uint64_t offset, ByteSpan data) {
    std::lock_guard lock(mutex_);
    if (static_cast<int>(writes_.size()) == fail_write_) {
      writes_.push_back({direct, offset, 0, false});
      return Error(ErrorCode::kUnavailable, "write: no space left on device (injected)");
    }
    writes_.push_back(
        {direct, offset, data.size(), reinterpret_cast<std::uintptr_t>(data.data()) % kAlign == 0});
    if (bytes_.size() < offset + data.size()) bytes_.resize(offset + data.size());
    std::memcpy(bytes_.data() + offset, data.data(), data.size());
    return {};
  }

  std::mutex mutex_;
  Bytes bytes_;
  std::vector<Write> writes_;
};

Bytes pattern(std::size_t n, unsigned seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 131 + seed + i / 1013);
  return out;
}

// Hands `data` to the spool in `chunk`-byte pieces from `offset` on, as the
// pack writer does within one segment.
void add_in_pieces(DirectSpool& spool, std::uint64_t offset, ByteSpan data, std::size_t chunk) {
  for (std::size_t done = 0; done < data.size(); done += chunk) {
    auto added = spool.add(offset + done, data.subspan(done, std::min(chunk, data.size() - done)));
    ASSERT_TRUE(added) << added.error().message();
  }
}

Bytes concat(std::initializer_list<const Bytes*> parts) {
  Bytes all;
  for (const Bytes* part : parts) all.insert(all.end(), part->begin(), part->end());
  return all;
}

TEST(DirectSpool, SmallInputIsWrittenInlineThroughThePageCache) {
  MemoryFile file;
  DirectSpool spool(file, 1 << 20);
  const Bytes data = pattern(300001, 1);
  add_in_pieces(spool, 8192, data, 65552);
  auto digest = spool.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(data));
  EXPECT_EQ(file.bytes(8192, data.size()), data);
  EXPECT_EQ(spool.direct_bytes(), 0u);
  for (const auto& write : file.writes()) EXPECT_FALSE(write.direct);
}

TEST(DirectSpool, LargeInputGoesAroundThePageCacheInAlignedBlocks) {
  MemoryFile file;
  constexpr std::uint64_t kInline = 3 * 65536;
  DirectSpool spool(file, kInline);
  // Three segments as the pack writer fills them, the last one unfinished.
  const Bytes first = pattern(1 << 20, 2);
  const Bytes second = pattern(2 << 20, 3);
  const Bytes third = pattern((3 << 20) + 12345, 4);
  add_in_pieces(spool, 4096, first, 65552);
  add_in_pieces(spool, 16 << 20, second, 100003);
  add_in_pieces(spool, 32 << 20, third, 65552);
  auto digest = spool.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(concat({&first, &second, &third})));
  EXPECT_EQ(file.bytes(4096, first.size()), first);
  EXPECT_EQ(file.bytes(16 << 20, second.size()), second);
  EXPECT_EQ(file.bytes(32 << 20, third.size()), third);
  // Every byte past the inline ones went direct, in whole aligned units.
  const std::uint64_t total = first.size() + second.size() + third.size();
  EXPECT_EQ(spool.direct_bytes(), total - kInline);
  std::size_t direct_writes = 0;
  for (const auto& write : file.writes()) {
    if (!write.direct) continue;
    ++direct_writes;
    EXPECT_EQ(write.offset % kAlign, 0u);
    EXPECT_EQ(write.length % kAlign, 0u);
    EXPECT_TRUE(write.aligned_buffer);
    EXPECT_LE(write.length, DirectSpool::kBlockBytes);
  }
  EXPECT_GE(direct_writes, (total - kInline) / DirectSpool::kBlockBytes);
  // The last block was padded with zeros up to the alignment, no further.
  const std::uint64_t end = (32 << 20) + third.size();
  const std::uint64_t padded = (end + kAlign - 1) / kAlign * kAlign;
  EXPECT_EQ(file.bytes(end, padded - end), Bytes(padded - end, 0));
  EXPECT_EQ(*file.size(), padded);
}

TEST(DirectSpool, WhereDirectWritesAreRefusedBlocksGoThroughThePageCache) {
  MemoryFile file;
  file.direct_ = false;
  DirectSpool spool(file, 65536);
  const Bytes data = pattern((5 << 20) + 777, 5);
  add_in_pieces(spool, 0, data, 65552);
  auto digest = spool.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(data));
  EXPECT_EQ(file.bytes(0, data.size()), data);
  EXPECT_EQ(*file.size(), data.size());  // no padding through the page cache
  EXPECT_EQ(spool.direct_bytes(), 0u);
  // Their writeback is started as they go, so the final sync waits for little.
  EXPECT_GE(file.writebacks_.load(), 5);
}

TEST(DirectSpool, AnUnalignedRangeAfterBlocksIsWrittenInlineInOrder) {
  MemoryFile file;
  DirectSpool spool(file, 0);  // blocks from the first byte
  const Bytes first = pattern((2 << 20) + 100, 6);
  const Bytes second = pattern(3 * kAlign + 5, 7);
  const Bytes third = pattern((1 << 20) + 3, 8);
  add_in_pieces(spool, 0, first, 65552);
  // Not at an aligned offset: inline up to the next alignment, then blocks.
  add_in_pieces(spool, (32 << 20) + 1000, second, 4000);
  add_in_pieces(spool, 64 << 20, third, 65552);
  auto digest = spool.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(concat({&first, &second, &third})));
  EXPECT_EQ(file.bytes(0, first.size()), first);
  EXPECT_EQ(file.bytes((32 << 20) + 1000, second.size()), second);
  EXPECT_EQ(file.bytes(64 << 20, third.size()), third);
  for (const auto& write : file.writes()) {
    if (write.direct) EXPECT_EQ(write.offset % kAlign, 0u);
  }
}

TEST(DirectSpool, FlushPutsEveryByteInTheFileAndAddingGoesOn) {
  MemoryFile file;
  DirectSpool spool(file, 0);
  const Bytes first = pattern((1 << 20) + 4097, 9);
  const Bytes second = pattern(70000, 10);
  add_in_pieces(spool, 0, first, 65552);
  ASSERT_TRUE(spool.flush());
  EXPECT_EQ(file.bytes(0, first.size()), first);
  // Continues the first range, at an unaligned offset.
  add_in_pieces(spool, first.size(), second, 65552);
  auto digest = spool.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(concat({&first, &second})));
  EXPECT_EQ(file.bytes(0, first.size() + second.size()), concat({&first, &second}));
}

TEST(DirectSpool, AFailedBlockWriteIsStickyAndNeverADigest) {
  MemoryFile file;
  file.fail_write_ = 2;  // the third block
  DirectSpool spool(file, 0);
  const Bytes data = pattern(8 << 20, 11);
  Result<void> added{};
  for (std::size_t done = 0; done < data.size() && added; done += 65552) {
    added = spool.add(
        done, ByteSpan(data).subspan(done, std::min<std::size_t>(65552, data.size() - done)));
  }
  auto digest = spool.finish();
  ASSERT_FALSE(digest);
  EXPECT_EQ(digest.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(digest.error().message().find("no space"), std::string::npos);
  // Nothing is written after the failed block.
  for (const auto& write : file.writes()) EXPECT_LE(write.offset, 2u << 20);
  EXPECT_FALSE(spool.add(data.size(), ByteSpan(data).first(10)));
}

TEST(DirectSpool, AFailedInlineWriteIsStickyToo) {
  MemoryFile file;
  file.fail_write_ = 1;
  DirectSpool spool(file, 1 << 20);
  const Bytes data = pattern(200000, 12);
  EXPECT_TRUE(spool.add(0, ByteSpan(data).first(65536)));
  auto failed = spool.add(65536, ByteSpan(data).subspan(65536, 65536));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(spool.add(131072, ByteSpan(data).subspan(131072)));
  EXPECT_FALSE(spool.finish());
}

TEST(DirectSpool, CancelStopsTheHelpersWithBlocksStillQueued) {
  MemoryFile file;
  auto spool = std::make_unique<DirectSpool>(file, 0);
  const Bytes data = pattern(6 << 20, 13);
  add_in_pieces(*spool, 0, data, 1 << 20);
  spool->cancel();
  spool->cancel();  // twice is harmless
  spool.reset();    // and so is the destructor after it (ASan: no freed block used)
  // The counter of running spools came back down: kMaxRunning fresh ones
  // all get helpers.
  std::vector<std::unique_ptr<DirectSpool>> spools;
  for (unsigned i = 0; i < DirectSpool::kMaxRunning; ++i) {
    spools.push_back(std::make_unique<DirectSpool>(file, 0));
    add_in_pieces(*spools.back(), std::uint64_t{i} << 24, ByteSpan(data).first(2 << 20), 1 << 20);
  }
  for (auto& s : spools) {
    ASSERT_TRUE(s->finish());
    EXPECT_EQ(s->direct_bytes(), 2u << 20);
  }
}

TEST(DirectSpool, BeyondTheRunningLimitALargeBlobIsWrittenInline) {
  MemoryFile file;
  const Bytes data = pattern(3 << 20, 14);
  std::vector<std::unique_ptr<DirectSpool>> busy;
  for (unsigned i = 0; i < DirectSpool::kMaxRunning; ++i) {
    busy.push_back(std::make_unique<DirectSpool>(file, 0));
    ASSERT_TRUE(busy.back()->add(std::uint64_t{i} << 24, ByteSpan(data).first(1 << 20)));
  }
  DirectSpool extra(file, 65536);
  add_in_pieces(extra, 100 << 20, data, 65552);
  auto digest = extra.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(data));
  EXPECT_EQ(extra.direct_bytes(), 0u);
  EXPECT_EQ(file.bytes(100 << 20, data.size()), data);
  for (auto& spool : busy) EXPECT_TRUE(spool->finish());
}

TEST(DirectSpool, EmptyInputIsTheDigestOfNothing) {
  MemoryFile file;
  DirectSpool spool(file, 0);
  auto digest = spool.finish();
  ASSERT_TRUE(digest);
  EXPECT_EQ(*digest, crypto::sha256(Bytes{}));
  EXPECT_TRUE(file.writes().empty());
}

}  // namespace
}  // namespace safehouse::store
