// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/page_cache.h: how much of a file the kernel holds in its page
// cache, for tests of what the store leaves there (mincore).
#ifndef SAFEHOUSE_TESTS_STORE_PAGE_CACHE_H_
#define SAFEHOUSE_TESTS_STORE_PAGE_CACHE_H_

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <vector>

namespace safehouse::store::testing {

// Pages of the first `size` bytes of `path` in the page cache (mincore on a
// mapping never touched, so the count does not load any).
inline std::size_t cached_pages(const std::filesystem::path& path, std::size_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return 0;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  std::size_t count = 0;
  if (::mincore(map, size, resident.data()) == 0) {
    for (unsigned char r : resident) count += r & 1;
  }
  ::munmap(map, size);
  return count;
}

}  // namespace safehouse::store::testing

#endif  // SAFEHOUSE_TESTS_STORE_PAGE_CACHE_H_
