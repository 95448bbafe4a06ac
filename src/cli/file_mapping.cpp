// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/file_mapping.cpp: whole-file read-only mappings and the table the
// SIGBUS handler consults. The table is a fixed array of atomics: a slot is
// claimed with a compare-and-swap, filled, then published by storing its
// base address last, so the handler never sees a half-made entry.
#include "cli/file_mapping.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "cli/cleanup.h"

namespace safehouse::cli {
namespace {

struct Slot {
  std::atomic<bool> claimed{false};
  std::atomic<std::uintptr_t> base{0};  // 0: nothing to guard
  std::atomic<std::size_t> mapped{0};
  std::atomic<bool> damaged{false};
};

std::array<Slot, FileMapping::kMaxLive> g_slots;
// Set before the first mapping is published; the handler reads it.
std::atomic<std::uintptr_t> g_page_bytes{4096};

static_assert(std::atomic<std::uintptr_t>::is_always_lock_free);
static_assert(std::atomic<std::size_t>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

bool claim_slot(std::size_t& index) {
  for (std::size_t i = 0; i < g_slots.size(); ++i) {
    bool expected = false;
    if (g_slots[i].claimed.compare_exchange_strong(expected, true)) {
      index = i;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<FileMapping>> FileMapping::map(int fd, std::size_t size,
                                                      const std::string& name) {
  if (size == 0) return invalid_argument(name + ": cannot map an empty file");
  std::size_t slot = 0;
  if (!claim_slot(slot)) return Error(ErrorCode::kUnavailable, name + ": too many mapped files");
  auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  g_page_bytes.store(page);
  std::size_t mapped = (size + page - 1) / page * page;
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED) {
    int saved = errno;
    g_slots[slot].claimed.store(false);
    return io_error(name + ": cannot map: " + std::strerror(saved));
  }
  // The kernel reads ahead further and drops pages behind sooner.
  ::madvise(base, mapped, MADV_SEQUENTIAL);
  // The handler must be ours before the first read of the mapping.
  install_cleanup_handlers();
  Slot& entry = g_slots[slot];
  entry.damaged.store(false);
  entry.mapped.store(mapped);
  entry.base.store(reinterpret_cast<std::uintptr_t>(base));
  return std::unique_ptr<FileMapping>(
      new FileMapping(static_cast<const std::uint8_t*>(base), size, mapped, slot));
}

FileMapping::~FileMapping() {
  Slot& entry = g_slots[slot_];
  entry.base.store(0);
  ::munmap(const_cast<std::uint8_t*>(base_), mapped_);
  entry.claimed.store(false);
}

bool FileMapping::damaged() const {
  return g_slots[slot_].damaged.load();
}

void FileMapping::release_before(std::size_t offset) {
  std::size_t page = g_page_bytes.load();
  std::size_t end = std::min(offset, size_) / page * page;
  if (end <= released_) return;
  // MADV_DONTNEED keeps the mapping (so the address range stays ours and
  // guarded) and only unmaps the pages; a later read would fault them back
  // in from the page cache.
  ::madvise(const_cast<std::uint8_t*>(base_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

bool absorb_mapping_fault(const void* address) {
  auto at = reinterpret_cast<std::uintptr_t>(address);
  for (Slot& entry : g_slots) {
    std::uintptr_t base = entry.base.load();
    if (base == 0) continue;
    std::size_t mapped = entry.mapped.load();
    if (at < base || at - base >= mapped) continue;
    std::uintptr_t page = at & ~(g_page_bytes.load() - 1);
    // Anonymous pages read as zeros and never fault again. mmap is a plain
    // system call on Linux, safe in a signal handler.
    void* zeros = ::mmap(reinterpret_cast<void*>(page), base + mapped - page, PROT_READ,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (zeros == MAP_FAILED) return false;
    entry.damaged.store(true);
    return true;
  }
  return false;
}

}  // namespace safehouse::cli
