// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_pool.cpp: size-classed slots in locked, guarded slabs, with
// sodium_malloc for everything else. See secret_pool.h for the trade-off.
#include "crypto/secret_pool.h"

#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SAFEHOUSE_SECRET_POOL_ASAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define SAFEHOUSE_SECRET_POOL_ASAN 1
#endif
#ifdef SAFEHOUSE_SECRET_POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace safehouse::crypto {
namespace {

// Free slots are poisoned in ASan builds so a use after release is reported
// even though the memory stays mapped.
void poison(void* address, std::size_t size) {
#ifdef SAFEHOUSE_SECRET_POOL_ASAN
  ASAN_POISON_MEMORY_REGION(address, size);
#else
  (void)address;
  (void)size;
#endif
}

void unpoison(void* address, std::size_t size) {
#ifdef SAFEHOUSE_SECRET_POOL_ASAN
  ASAN_UNPOISON_MEMORY_REGION(address, size);
#else
  (void)address;
  (void)size;
#endif
}

bool sodium_lock(void* address, std::size_t size) {
  return sodium_mlock(address, size) == 0;
}

std::uint8_t* sodium_block(std::size_t size) {
  auto* data = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data == nullptr) throw std::bad_alloc();
  sodium_memzero(data, size);
  return data;
}

}  // namespace

SecretPool& SecretPool::shared() {
  static SecretPool* const pool = new SecretPool();  // never destroyed: see header
  return *pool;
}

SecretPool::SecretPool(LockFn lock) : lock_(lock != nullptr ? lock : &sodium_lock) {}

std::size_t SecretPool::class_index(std::size_t size) {
  std::size_t index = 0;
  while (kSlotSizes[index] < size) ++index;
  return index;
}

// Called with the class's mutex held, so two threads never both carve.
bool SecretPool::carve_slab(SizeClass& size_class, std::size_t slot_size) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t total = kSlabBytes + 2 * page;
  void* mapping = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) return false;
  auto* base = static_cast<std::uint8_t*>(mapping);
  std::uint8_t* slab = base + page;
  // A guard page at either end: running off the slab faults.
  if (mprotect(base, page, PROT_NONE) != 0 || mprotect(slab + kSlabBytes, page, PROT_NONE) != 0 ||
      !lock_(slab, kSlabBytes)) {
    munmap(mapping, total);
    return false;
  }
  const std::size_t count = kSlabBytes / slot_size;
  size_class.free.reserve(size_class.slots + count);
  // Hand out low addresses first (LIFO: the last pushed is popped first).
  for (std::size_t i = count; i > 0; --i) size_class.free.push_back(slab + (i - 1) * slot_size);
  size_class.slots += count;
  ++size_class.slabs;
  poison(slab, kSlabBytes);
  return true;
}

SecretPool::Block SecretPool::acquire(std::size_t size) {
  if (size > kMaxPooled) return {sodium_block(size), false};
  const std::size_t index = class_index(size);
  SizeClass& size_class = classes_[index];
  std::uint8_t* slot = nullptr;
  {
    std::lock_guard lock(size_class.mutex);
    if (size_class.free.empty() && !size_class.lock_failed &&
        !carve_slab(size_class, kSlotSizes[index])) {
      // Most likely RLIMIT_MEMLOCK: sodium_malloc treats a failed mlock as
      // best effort, so fall back to it rather than use unlocked slots.
      size_class.lock_failed = true;
    }
    if (!size_class.free.empty()) {
      slot = size_class.free.back();
      size_class.free.pop_back();
    }
  }
  if (slot == nullptr) return {sodium_block(size), false};
  unpoison(slot, size);  // already zero: free slots are wiped on release
  return {slot, true};
}

void SecretPool::release(Block block, std::size_t size) noexcept {
  if (block.data == nullptr) return;
  if (!block.pooled) {
    sodium_free(block.data);  // wipes before unmapping
    return;
  }
  const std::size_t index = class_index(size);
  const std::size_t slot_size = kSlotSizes[index];
  unpoison(block.data, slot_size);
  sodium_memzero(block.data, slot_size);  // whole slot: an overflow may have written past `size`
  poison(block.data, slot_size);
  SizeClass& size_class = classes_[index];
  std::lock_guard lock(size_class.mutex);
  size_class.free.push_back(block.data);  // within capacity: cannot throw
}

std::size_t SecretPool::slab_count() const {
  std::size_t count = 0;
  for (const SizeClass& size_class : classes_) {
    std::lock_guard lock(size_class.mutex);
    count += size_class.slabs;
  }
  return count;
}

}  // namespace safehouse::crypto
