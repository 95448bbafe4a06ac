// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/wiping_allocator.h: an allocator that wipes memory before giving it
// back, for containers that pass plaintext through (a request body on its way
// to the age encryptor, a decrypted reply on its way to the page). A vector
// or buffer that grows frees its old storage with plaintext in it; with this
// allocator every such copy is wiped, not only the final one.
//
// Not for secrets: keys belong in SecretBytes (locked, never swapped). This
// only keeps freed heap memory from holding what a source sent.
#ifndef SAFEHOUSE_CRYPTO_WIPING_ALLOCATOR_H_
#define SAFEHOUSE_CRYPTO_WIPING_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/secret_bytes.h"

namespace safehouse::crypto {

// Upstream must be stateless (std::allocator by default; tests pass a
// checking one).
template <typename T, typename Upstream = std::allocator<T>>
class WipingAllocator {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other =
        WipingAllocator<U, typename std::allocator_traits<Upstream>::template rebind_alloc<U>>;
  };

  WipingAllocator() noexcept = default;
  template <typename U, typename UpstreamU>
  WipingAllocator(const WipingAllocator<U, UpstreamU>&) noexcept {}  // NOLINT: implicit by design

  T* allocate(std::size_t n) { return Upstream().allocate(n); }

  void deallocate(T* p, std::size_t n) noexcept {
    wipe({reinterpret_cast<std::uint8_t*>(p), n * sizeof(T)});
    Upstream().deallocate(p, n);
  }

  template <typename U, typename UpstreamU>
  bool operator==(const WipingAllocator<U, UpstreamU>&) const noexcept {
    return true;
  }
};

using WipedBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using WipedString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// A string keeps short contents inside itself (no allocation to wipe): this
// wipes all of its storage, the unused capacity included, and leaves it empty.
inline void wipe_all(WipedString& s) {
  s.resize(s.capacity());
  wipe({reinterpret_cast<std::uint8_t*>(s.data()), s.size()});
  s.clear();
}

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_WIPING_ALLOCATOR_H_
