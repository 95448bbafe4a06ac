// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/secret_bytes.cpp: SecretBytes on sodium_malloc / sodium_free.
#include "crypto/secret_bytes.h"

#include <sodium.h>

#include <algorithm>
#include <new>
#include <utility>

namespace safehouse::crypto {

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  if (size == 0) return;
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) throw std::bad_alloc();
  sodium_memzero(data_, size);
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
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  // sodium_free wipes the region before releasing it.
  if (data_ != nullptr) sodium_free(data_);
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
