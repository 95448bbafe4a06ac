// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/wiping_allocator_test.cpp: every block a WipingAllocator gives
// back is all zeros by the time it reaches the upstream allocator, whether a
// container frees it on growth, on shrinking or on destruction.
#include "crypto/wiping_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace safehouse::crypto {
namespace {

struct FreedBlocks {
  static inline std::size_t count = 0;
  static inline std::size_t dirty = 0;  // freed with a non-zero byte in them
  static void reset() { count = dirty = 0; }
};

// Upstream for the tests: std::allocator, counting what it gets back dirty.
template <typename T>
struct CheckingAllocator {
  using value_type = T;
  CheckingAllocator() = default;
  template <typename U>
  CheckingAllocator(const CheckingAllocator<U>&) {}  // NOLINT
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(p);
    ++FreedBlocks::count;
    if (std::any_of(bytes, bytes + n * sizeof(T), [](std::uint8_t b) { return b != 0; })) {
      ++FreedBlocks::dirty;
    }
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const CheckingAllocator<U>&) const {
    return true;
  }
};

using CheckedBytes =
    std::vector<std::uint8_t, WipingAllocator<std::uint8_t, CheckingAllocator<std::uint8_t>>>;
using CheckedString =
    std::basic_string<char, std::char_traits<char>, WipingAllocator<char, CheckingAllocator<char>>>;

TEST(WipingAllocator, VectorGrowthAndDestructionFreeOnlyZeros) {
  FreedBlocks::reset();
  {
    CheckedBytes bytes;
    for (int i = 0; i < 100000; ++i) bytes.push_back(0xAA);  // many reallocations
    bytes.resize(10);
    bytes.shrink_to_fit();
  }
  EXPECT_GT(FreedBlocks::count, 10u);
  EXPECT_EQ(FreedBlocks::dirty, 0u);
}

TEST(WipingAllocator, StringGrowthFreesOnlyZeros) {
  FreedBlocks::reset();
  {
    CheckedString text;
    for (int i = 0; i < 1000; ++i) text += "marker-plaintext-";
  }
  EXPECT_GT(FreedBlocks::count, 5u);
  EXPECT_EQ(FreedBlocks::dirty, 0u);
}

TEST(WipingAllocator, ReboundAllocatorStillWipes) {
  FreedBlocks::reset();
  using Rebound = std::allocator_traits<
      WipingAllocator<std::uint8_t, CheckingAllocator<std::uint8_t>>>::rebind_alloc<std::uint64_t>;
  { std::vector<std::uint64_t, Rebound> words(1000, ~std::uint64_t{0}); }
  EXPECT_EQ(FreedBlocks::count, 1u);
  EXPECT_EQ(FreedBlocks::dirty, 0u);
}

}  // namespace
}  // namespace safehouse::crypto
