// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_bytes.cpp: SecretBytes on SecretPool (locked slots for small
// secrets, sodium_malloc for large ones).
#include "crypto/secret_bytes.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "crypto/secret_pool.h"

namespace safehouse::crypto {

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  if (size == 0) return;
  const SecretPool::Block block = SecretPool::shared().acquire(size);  // zeroed
  data_ = block.data;
  pooled_ = block.pooled;
}

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
  SecretBytes secret(bytes.size());
  if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), secret.data_);
  return secret;
}

SecretBytes SecretBytes::random(std::size_t size) {
  SecretBytes secret(size);
  if (size != 0) randombytes_buf(secret.data_, size);
  return secret;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      pooled_(std::exchange(other.pooled_, false)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    pooled_ = std::exchange(other.pooled_, false);
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  release();
}

// Both kinds of memory are wiped before they are reused or unmapped.
void SecretBytes::release() noexcept {
  if (data_ != nullptr) SecretPool::shared().release({data_, pooled_}, size_);
  data_ = nullptr;
  size_ = 0;
  pooled_ = false;
}

bool SecretBytes::equals(const SecretBytes& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

void wipe(std::span<std::uint8_t> bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

}  // namespace safehouse::crypto
