// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/secret_pool_test.cpp: SecretPool slots are zero when handed
// out again, size classes, fallback to sodium_malloc (large sizes, slabs
// that cannot be locked), many threads, and SecretBytes on top of it.
#include "crypto/secret_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "crypto/secret_bytes.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define SAFEHOUSE_TEST_ASAN 1
#define UNPOISON(address, size) ASAN_UNPOISON_MEMORY_REGION(address, size)
#define POISON(address, size) ASAN_POISON_MEMORY_REGION(address, size)
#endif
#endif
#ifndef UNPOISON
#define UNPOISON(address, size) ((void)(address), (void)(size))
#define POISON(address, size) ((void)(address), (void)(size))
#endif

namespace safehouse::crypto {
namespace {

bool all_zero(const std::uint8_t* data, std::size_t size) {
  return std::all_of(data, data + size, [](std::uint8_t b) { return b == 0; });
}

bool never_lock(void*, std::size_t) {
  return false;
}

TEST(SecretPool, ReleasedSlotIsWipedAndReusedZeroed) {
  SecretPool pool;
  SecretPool::Block block = pool.acquire(32);
  ASSERT_TRUE(block.pooled);
  ASSERT_TRUE(all_zero(block.data, 32));
  std::memset(block.data, 0xA5, 32);
  std::uint8_t* const address = block.data;
  pool.release(block, 32);
  // Slabs stay mapped, so the released slot can be inspected: it is wiped.
  UNPOISON(address, 32);
  EXPECT_TRUE(all_zero(address, 32));
  POISON(address, 32);
  // LIFO: the next request of that class gets the same slot, still zero.
  SecretPool::Block again = pool.acquire(20);
  EXPECT_EQ(again.data, address);
  EXPECT_TRUE(all_zero(again.data, 20));
  pool.release(again, 20);
}

TEST(SecretPool, WipesTheWholeSlotNotJustTheRequest) {
  SecretPool pool;
  SecretPool::Block block = pool.acquire(40);  // 64-byte slot
  UNPOISON(block.data, 64);
  std::memset(block.data, 0x5A, 64);  // as an overflow into the tail would
  std::uint8_t* const address = block.data;
  pool.release(block, 40);
  UNPOISON(address, 64);
  EXPECT_TRUE(all_zero(address, 64));
  POISON(address, 64);
}

#ifdef SAFEHOUSE_TEST_ASAN
TEST(SecretPoolDeathTest, UseAfterReleaseIsReportedUnderAsan) {
  SecretPool pool;
  SecretPool::Block block = pool.acquire(32);
  volatile std::uint8_t* const address = block.data;
  pool.release(block, 32);
  EXPECT_DEATH((void)address[0], "use-after-poison");
}
#endif

TEST(SecretPool, SizesAcrossClassesGetDistinctSlotsOfTheirClass) {
  SecretPool pool;
  const std::size_t sizes[] = {1, 12, 32, 33, 64, 65, 100, 128, 129, 200, 256};
  std::vector<SecretPool::Block> blocks;
  for (std::size_t size : sizes) {
    SecretPool::Block block = pool.acquire(size);
    ASSERT_TRUE(block.pooled) << size;
    EXPECT_TRUE(all_zero(block.data, size)) << size;
    std::memset(block.data, static_cast<int>(size), size);
    blocks.push_back(block);
  }
  // One slab per class, and writes to one block did not reach another.
  EXPECT_EQ(pool.slab_count(), SecretPool::kSlotSizes.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i].data[sizes[i] - 1], static_cast<std::uint8_t>(sizes[i])) << sizes[i];
    pool.release(blocks[i], sizes[i]);
  }
}

TEST(SecretPool, LargeSizesFallBackToSodiumMalloc) {
  SecretPool pool;
  SecretPool::Block block = pool.acquire(SecretPool::kMaxPooled + 1);
  EXPECT_FALSE(block.pooled);
  EXPECT_TRUE(all_zero(block.data, SecretPool::kMaxPooled + 1));
  pool.release(block, SecretPool::kMaxPooled + 1);
  EXPECT_EQ(pool.slab_count(), 0u);
}

TEST(SecretPool, UnlockableSlabsFallBackToSodiumMalloc) {
  SecretPool pool(&never_lock);
  SecretPool::Block block = pool.acquire(32);
  EXPECT_FALSE(block.pooled);
  ASSERT_NE(block.data, nullptr);
  EXPECT_TRUE(all_zero(block.data, 32));
  pool.release(block, 32);
  EXPECT_EQ(pool.slab_count(), 0u);
}

TEST(SecretPool, GrowsBeyondOneSlab) {
  SecretPool pool;
  const std::size_t per_slab = SecretPool::kSlabBytes / 256;
  std::vector<SecretPool::Block> blocks;
  for (std::size_t i = 0; i < per_slab + 1; ++i) blocks.push_back(pool.acquire(256));
  EXPECT_EQ(pool.slab_count(), 2u);
  std::vector<std::uint8_t*> addresses;
  for (const auto& block : blocks) addresses.push_back(block.data);
  std::sort(addresses.begin(), addresses.end());
  EXPECT_EQ(std::adjacent_find(addresses.begin(), addresses.end()), addresses.end());
  for (const auto& block : blocks) pool.release(block, 256);
}

TEST(SecretPool, ManyThreadsNeverShareALiveSlot) {
  SecretPool pool;
  constexpr int kThreads = 8;
  constexpr int kRounds = 2000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, &failures, t] {
      const auto mark = static_cast<std::uint8_t>(t + 1);
      for (int round = 0; round < kRounds; ++round) {
        const std::size_t size = 1 + static_cast<std::size_t>((round * 37 + t) % 256);
        SecretPool::Block a = pool.acquire(size);
        SecretPool::Block b = pool.acquire(size);
        if (!all_zero(a.data, size) || !all_zero(b.data, size)) ++failures;
        std::memset(a.data, mark, size);
        std::memset(b.data, mark, size);
        std::this_thread::yield();
        // Another thread holding the same slot would have overwritten it.
        if (std::any_of(a.data, a.data + size, [mark](std::uint8_t x) { return x != mark; }))
          ++failures;
        pool.release(a, size);
        pool.release(b, size);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SecretBytesOnPool, MovesKeepTheBytesAndFreeOnce) {
  auto a = SecretBytes::random(32);
  std::vector<std::uint8_t> expected(a.reveal().begin(), a.reveal().end());
  SecretBytes b = std::move(a);
  SecretBytes c(64);
  c = std::move(b);        // releases c's own slot first
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  ASSERT_EQ(c.size(), 32u);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), c.reveal().begin()));
  c = SecretBytes(1000);  // large: sodium_malloc, zeroed
  ASSERT_EQ(c.size(), 1000u);
  EXPECT_TRUE(all_zero(c.reveal().data(), c.size()));
}

TEST(SecretBytesOnPool, ReuseAfterFreeIsZeroed) {
  for (std::size_t size : {16, 32, 48, 64, 100, 128, 256, 300}) {
    std::uint8_t* first = nullptr;
    {
      auto secret = SecretBytes::random(size);
      first = secret.reveal().data();
    }
    SecretBytes next(size);
    if (size <= SecretPool::kMaxPooled) EXPECT_EQ(next.reveal().data(), first) << size;
    EXPECT_TRUE(all_zero(next.reveal().data(), size)) << size;
  }
}

TEST(SecretBytesOnPool, ManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&failures] {
      for (int round = 0; round < 2000; ++round) {
        auto key = SecretBytes::random(32);
        auto copy = SecretBytes::copy_of(key.reveal());
        SecretBytes moved = std::move(copy);
        if (!moved.equals(key)) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace safehouse::crypto
