// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/range_hasher_test.cpp: the digest of ranges handed to a
// RangeHasher is the SHA-256 of their bytes in order, whether hashed inline
// or read back by its helper; a read that fails or comes back short is an
// error, never a digest; cancel() stops the helper with work still queued;
// the helper drops from the page cache only ranges it has read back, and
// keeps the last drop_lag_bytes of them.
#include "store/range_hasher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace safehouse::store {
namespace {

// A file in memory whose reads can be made to fail or stop short.
class MemoryFile final : public RandomAccessFile {
 public:
  Result<void> write_at(std::uint64_t offset, ByteSpan data) override {
    std::lock_guard lock(mutex_);
    if (bytes_.size() < offset + data.size()) bytes_.resize(offset + data.size());
    std::memcpy(bytes_.data() + offset, data.data(), data.size());
    return {};
  }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteSpan data) override {
    reads_.fetch_add(1);
    if (fail_reads_) return Error(ErrorCode::kIo, "read: injected failure");
    std::lock_guard lock(mutex_);
    events_.push_back({false, offset, data.size()});
    const std::uint64_t end =
        std::min<std::uint64_t>(bytes_.size() - short_by_, offset + data.size());
    if (offset >= end) return std::size_t{0};
    std::memcpy(data.data(), bytes_.data() + offset, end - offset);
    return static_cast<std::size_t>(end - offset);
  }
  Result<void> sync() override { return {}; }
  Result<std::uint64_t> size() override { return bytes_.size(); }
  Result<void> resize(std::uint64_t size) override {
    bytes_.resize(size);
    return {};
  }
  Result<void> punch_hole(std::uint64_t, std::uint64_t) override {
    return Error(ErrorCode::kUnsupported, "punch_hole");
  }
  void drop_cached(std::uint64_t offset, std::uint64_t length) override {
    std::lock_guard lock(mutex_);
    events_.push_back({true, offset, length});
  }

  struct Event {
    bool drop;  // else a read
    std::uint64_t offset;
    std::uint64_t length;
  };
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

  std::atomic<bool> fail_reads_ = false;
  std::uint64_t short_by_ = 0;  // the last bytes read as missing
  std::atomic<int> reads_ = 0;

 private:
  std::mutex mutex_;
  Bytes bytes_;
  std::vector<Event> events_;
};

Bytes pattern(std::size_t n, unsigned seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 131 + seed + i / 1013);
  return out;
}

// Writes `data` to `file` in `chunk`-byte pieces starting at `offset`,
// handing each to `hasher` as the pack writer does.
void write_through(MemoryFile& file, RangeHasher& hasher, std::uint64_t offset, ByteSpan data,
                   std::size_t chunk) {
  for (std::size_t done = 0; done < data.size(); done += chunk) {
    ByteSpan piece = data.subspan(done, std::min(chunk, data.size() - done));
    ASSERT_TRUE(file.write_at(offset + done, piece));
    hasher.add(offset + done, piece);
  }
}

TEST(RangeHasher, SmallInputIsHashedInlineWithoutReadingTheFileBack) {
  MemoryFile file;
  RangeHasher hasher(file, 1 << 20);
  const Bytes data = pattern(300000, 1);
  write_through(file, hasher, 0, data, 65536);
  auto digest = hasher.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(data));
  EXPECT_EQ(file.reads_.load(), 0);
}

TEST(RangeHasher, LargeInputInScatteredRangesIsTheDigestOfTheBytesInOrder) {
  MemoryFile file;
  RangeHasher hasher(file, 100000);  // inline, then the helper mid-range
  const Bytes first = pattern(700001, 2);
  const Bytes second = pattern(1 << 20, 3);
  const Bytes third = pattern(333333, 4);
  // Three segments, not in file order: the digest follows the order added.
  write_through(file, hasher, 5 << 20, first, 65521);
  write_through(file, hasher, 1 << 20, second, 4096);
  write_through(file, hasher, 9 << 20, third, 100000);
  auto digest = hasher.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  Bytes all = first;
  all.insert(all.end(), second.begin(), second.end());
  all.insert(all.end(), third.begin(), third.end());
  EXPECT_EQ(*digest, crypto::sha256(all));
  EXPECT_GT(file.reads_.load(), 0);
}

TEST(RangeHasher, DropsFromTheCacheOnlyWhatItReadBackKeepingTheLag) {
  MemoryFile file;
  constexpr std::uint64_t kLag = 3 << 20;
  RangeHasher hasher(file, 100000, kLag);
  const Bytes first = pattern(5 << 20, 5);
  const Bytes second = pattern((4 << 20) + 12345, 6);
  write_through(file, hasher, 0, first, 65552);
  write_through(file, hasher, 64 << 20, second, 65552);  // a second segment
  auto digest = hasher.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  Bytes all = first;
  all.insert(all.end(), second.begin(), second.end());
  EXPECT_EQ(*digest, crypto::sha256(all));

  std::uint64_t read = 0;
  std::uint64_t dropped = 0;
  std::vector<MemoryFile::Event> reads;
  for (const MemoryFile::Event& e : file.events()) {
    if (!e.drop) {
      reads.push_back(e);
      read += e.length;
      continue;
    }
    // Each drop is a range the helper read back earlier, whole.
    bool was_read = false;
    for (const MemoryFile::Event& r : reads) {
      was_read = was_read || (r.offset == e.offset && r.length == e.length);
    }
    EXPECT_TRUE(was_read) << "dropped [" << e.offset << ", +" << e.length << ") before reading it";
    dropped += e.length;
  }
  EXPECT_GE(read, all.size() - 100000);  // at most the inline bytes not read back
  EXPECT_GT(dropped, 0u);
  EXPECT_LE(read - dropped, kLag);  // all but the lag is dropped...
  EXPECT_GT(read - dropped, 0u);    // ...and the lag is kept
}

TEST(RangeHasher, AFailedReadBackIsAnErrorNotADigest) {
  MemoryFile file;
  file.fail_reads_ = true;
  RangeHasher hasher(file, 0);
  write_through(file, hasher, 0, pattern(500000, 5), 65536);
  auto digest = hasher.finish();
  ASSERT_FALSE(digest);
  EXPECT_EQ(digest.error().code(), ErrorCode::kIo);
  EXPECT_NE(digest.error().message().find("injected failure"), std::string::npos);
}

TEST(RangeHasher, AShortReadBackIsAnErrorNotADigest) {
  MemoryFile file;
  RangeHasher hasher(file, 0);
  file.short_by_ = 10;  // the last 10 bytes added are not in the file
  write_through(file, hasher, 0, pattern(200000, 6), 65536);
  auto digest = hasher.finish();
  ASSERT_FALSE(digest);
  EXPECT_EQ(digest.error().code(), ErrorCode::kIo);
}

TEST(RangeHasher, CancelStopsTheHelperWithRangesStillQueued) {
  MemoryFile file;
  {
    RangeHasher hasher(file, 0);
    write_through(file, hasher, 0, pattern(8 << 20, 7), 1 << 20);
    hasher.cancel();
    hasher.cancel();  // twice is harmless
  }
  RangeHasher destroyed_unfinished(file, 0);
  write_through(file, destroyed_unfinished, 0, pattern(4 << 20, 8), 1 << 20);
  SUCCEED() << "destroyed without finish(): joins its helper (ASan/TSan would object otherwise)";
}

TEST(RangeHasher, BeyondTheHelperLimitALargeBlobIsHashedInline) {
  // kMaxHelpers hashers each holding a helper (until finished)...
  std::vector<std::unique_ptr<MemoryFile>> files;
  std::vector<std::unique_ptr<RangeHasher>> busy;
  for (unsigned i = 0; i < RangeHasher::kMaxHelpers; ++i) {
    files.push_back(std::make_unique<MemoryFile>());
    busy.push_back(std::make_unique<RangeHasher>(*files.back(), 0));
    write_through(*files.back(), *busy.back(), 0, pattern(4096, i), 4096);
  }
  // ...so one more hashes on the caller's thread: no read back, same digest.
  MemoryFile file;
  RangeHasher hasher(file, 0);
  const Bytes data = pattern(300000, 9);
  write_through(file, hasher, 0, data, 65536);
  auto digest = hasher.finish();
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, crypto::sha256(data));
  EXPECT_EQ(file.reads_.load(), 0);
  for (auto& other : busy) ASSERT_TRUE(other->finish());
  // With the helpers free again, a new hasher gets one.
  MemoryFile later;
  RangeHasher again(later, 0);
  write_through(later, again, 0, data, 65536);
  ASSERT_TRUE(again.finish());
  EXPECT_GT(later.reads_.load(), 0);
}

TEST(RangeHasher, EmptyInputIsTheDigestOfNothing) {
  MemoryFile file;
  RangeHasher hasher(file, 0);
  hasher.add(0, {});
  auto digest = hasher.finish();
  ASSERT_TRUE(digest);
  EXPECT_EQ(*digest, crypto::sha256({}));
}

}  // namespace
}  // namespace safehouse::store
