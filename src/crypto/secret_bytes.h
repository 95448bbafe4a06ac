// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_bytes.h: the one type that holds secret bytes (file keys,
// stream keys, identities, codename-derived keys). Memory comes from
// SecretPool (crypto/secret_pool.h): locked against swapping, kept out of
// core dumps, wiped on free; secrets over 256 bytes get sodium_malloc's
// guard pages too, small ones share locked slabs. Move-only, compared in
// constant time, never formatted. Raw access is through reveal(), a name
// to grep for when auditing every use of a secret. Thread-safe to create
// and destroy anywhere; one object is not for concurrent mutation.
#ifndef SAFEHOUSE_CRYPTO_SECRET_BYTES_H_
#define SAFEHOUSE_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace safehouse::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Allocates `size` zeroed bytes. Throws std::bad_alloc on exhaustion.
  explicit SecretBytes(std::size_t size);
  // Copies `bytes` in; the caller wipes its own copy.
  static SecretBytes copy_of(std::span<const std::uint8_t> bytes);
  // `size` bytes from the operating system's CSPRNG.
  static SecretBytes random(std::size_t size);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The raw bytes. Every call site handles a secret: keep them few.
  std::span<std::uint8_t> reveal() { return {data_, size_}; }
  std::span<const std::uint8_t> reveal() const { return {data_, size_}; }

  // Constant-time comparison.
  bool equals(const SecretBytes& other) const;

 private:
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  bool pooled_ = false;  // from a SecretPool slot, not sodium_malloc
};

// Wipes memory the compiler may not optimise the write away from.
void wipe(std::span<std::uint8_t> bytes);

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_SECRET_BYTES_H_
