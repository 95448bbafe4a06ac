// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_pool.h: where SecretBytes gets its memory. Small secrets
// (<= 256 bytes) come from slots in a few large locked slabs; larger ones,
// and all of them once a slab cannot be locked, from sodium_malloc. Knows
// nothing of what the secrets are; SecretBytes is the only intended caller.
//
// Why: sodium_malloc gives every secret its own mapping with guard pages
// (mmap + mprotect + mlock, then madvise + munmap on free), several system
// calls and TLB shootdowns per 32-byte key; at a few secrets per submitted
// item that was half of the intake server's CPU time.
//
// What is kept: slot memory is mlock'ed (never swapped) and excluded from
// core dumps (sodium_mlock: MADV_DONTDUMP), wiped with sodium_memzero when it
// is released, and every free slot is all zeroes. What is given up for
// small secrets: the guard page on each side of every secret and the
// canary; an overflow of one secret can reach its neighbour slot, not an
// unmapped page (each slab still has a guard page at either end). Slabs
// are never unmapped, so a slot address stays valid (and zeroed) after
// release. In AddressSanitizer builds free slots and the unused tail of a
// slot are poisoned, so tests still catch overflows and use after free.
//
// Thread-safe: acquire() and release() may be called from any thread; each
// size class has its own mutex (held for a vector push or pop, no system
// call except when a new slab is carved).
#ifndef SAFEHOUSE_CRYPTO_SECRET_POOL_H_
#define SAFEHOUSE_CRYPTO_SECRET_POOL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace safehouse::crypto {

class SecretPool {
 public:
  // Slot sizes; a request takes the smallest slot that fits it.
  static constexpr std::array<std::size_t, 4> kSlotSizes{32, 64, 128, 256};
  static constexpr std::size_t kMaxPooled = 256;
  // Bytes of slots per slab (one slab feeds one size class).
  static constexpr std::size_t kSlabBytes = 64 * 1024;

  // Locks a slab against swapping; returns false if it could not.
  using LockFn = bool (*)(void* address, std::size_t size);

  struct Block {
    std::uint8_t* data = nullptr;
    bool pooled = false;  // false: sodium_malloc'ed (or empty)
  };

  // The process-wide pool. Never destroyed, so secrets in static objects
  // can still be released during exit.
  static SecretPool& shared();

  // `lock` defaults to sodium_mlock; tests pass one that fails.
  explicit SecretPool(LockFn lock = nullptr);
  ~SecretPool() = default;  // slabs stay mapped: see the file comment
  SecretPool(const SecretPool&) = delete;
  SecretPool& operator=(const SecretPool&) = delete;

  // `size` zeroed bytes (size > 0). Throws std::bad_alloc on exhaustion.
  Block acquire(std::size_t size);
  // Wipes and returns a block from acquire(size) with the same size.
  void release(Block block, std::size_t size) noexcept;

  // Slabs mapped so far (for tests and diagnostics).
  std::size_t slab_count() const;

 private:
  struct SizeClass {
    mutable std::mutex mutex;
    std::vector<std::uint8_t*> free;  // capacity >= slots carved: push never allocates
    std::size_t slots = 0;
    std::size_t slabs = 0;
    bool lock_failed = false;  // from then on this class uses sodium_malloc
  };

  static std::size_t class_index(std::size_t size);
  bool carve_slab(SizeClass& size_class, std::size_t slot_size);

  LockFn lock_;
  std::array<SizeClass, kSlotSizes.size()> classes_;
};

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_SECRET_POOL_H_
