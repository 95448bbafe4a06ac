// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/sha256.cpp: SHA-256 on libcrypto's EVP interface (see sha256.h for
// why libcrypto). EVP failures here mean memory exhaustion or a broken
// libcrypto, neither of which a caller can handle: they abort.
#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace safehouse::crypto {
namespace {

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "safehouse: libcrypto SHA-256: %s failed\n", what);
  std::abort();
}

// Fetched once: EVP_sha256() is a cheap static table in OpenSSL 3, but
// fetching explicitly avoids a provider lookup on every init.
const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) fatal("EVP_MD_fetch");
    return fetched;
  }();
  return md;
}

}  // namespace

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(new State) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr) fatal("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(state_->ctx, sha256_md(), nullptr) != 1) fatal("EVP_DigestInit_ex");
}

Sha256::~Sha256() {
  if (state_ == nullptr) return;
  EVP_MD_CTX_free(state_->ctx);
  delete state_;
}

Sha256::Sha256(Sha256&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  std::swap(state_, other.state_);
  return *this;
}

void Sha256::update(std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(state_->ctx, data.data(), data.size()) != 1) fatal("EVP_DigestUpdate");
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx, out.data(), &length) != 1 || length != out.size()) {
    fatal("EVP_DigestFinal_ex");
  }
  if (EVP_DigestInit_ex(state_->ctx, sha256_md(), nullptr) != 1) fatal("EVP_DigestInit_ex");
  return out;
}

Sha256Digest sha256(std::span<const std::uint8_t> data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.finish();
}

}  // namespace safehouse::crypto
