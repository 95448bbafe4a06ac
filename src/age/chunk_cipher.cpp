// SPDX-License-Identifier: AGPL-3.0-or-later
// age/chunk_cipher.cpp: the payload AEAD on libcrypto's EVP interface (see
// chunk_cipher.h for why libcrypto). The key is set once; each chunk
// re-initialises the context with its nonce only (no cipher, no key: both
// are kept), which restarts ChaCha20's counter and Poly1305. EVP failures
// here mean memory exhaustion or a broken libcrypto, neither of which a
// caller can handle: they abort. A tag that does not verify is not a
// failure of libcrypto but an answer: open() returns false.
#include "age/chunk_cipher.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace safehouse::age::detail {
namespace {

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "safehouse: libcrypto ChaCha20-Poly1305: %s failed\n", what);
  std::abort();
}

// Fetched once and shared by every context (an EVP_CIPHER is immutable):
// fetching per context would be a provider lookup under a lock.
const EVP_CIPHER* chacha20_poly1305() {
  static EVP_CIPHER* cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    if (fetched == nullptr) fatal("EVP_CIPHER_fetch");
    return fetched;
  }();
  return cipher;
}

// EVP takes int lengths; a chunk is 64 KiB, so more is a bug in the caller.
int evp_length(std::size_t len) {
  if (len > INT_MAX) throw std::logic_error("age chunk cipher: chunk too large");
  return static_cast<int>(len);
}

void start_chunk(EVP_CIPHER_CTX* ctx, const AeadNonce& nonce, int encrypt) {
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce.data(), encrypt, nullptr) != 1) {
    fatal("EVP_CipherInit_ex2 (nonce)");
  }
}

void update(EVP_CIPHER_CTX* ctx, const std::uint8_t* in, int len, std::uint8_t* out) {
  if (len == 0) return;
  int written = 0;
  if (EVP_CipherUpdate(ctx, out, &written, in, len) != 1 || written != len) {
    fatal("EVP_CipherUpdate");
  }
}

}  // namespace

ChunkCipher::ChunkCipher(const crypto::SecretBytes& key) : ctx_(EVP_CIPHER_CTX_new()) {
  // A wrong size here is a bug in the caller, never bad input.
  if (key.size() != kAeadKeyBytes) {
    EVP_CIPHER_CTX_free(ctx_);
    throw std::logic_error("age chunk cipher: wrong key size");
  }
  if (ctx_ == nullptr) fatal("EVP_CIPHER_CTX_new");
  // No nonce yet: every seal() and open() sets its own.
  if (EVP_CipherInit_ex2(ctx_, chacha20_poly1305(), key.reveal().data(), nullptr, 1, nullptr) !=
      1) {
    fatal("EVP_CipherInit_ex2 (key)");
  }
}

ChunkCipher::~ChunkCipher() {
  // Frees the provider context with OPENSSL_clear_free: the key is wiped.
  EVP_CIPHER_CTX_free(ctx_);
}

ChunkCipher::ChunkCipher(ChunkCipher&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

ChunkCipher& ChunkCipher::operator=(ChunkCipher&& other) noexcept {
  std::swap(ctx_, other.ctx_);
  return *this;
}

void ChunkCipher::seal(const AeadNonce& nonce, const std::uint8_t* in, std::size_t len,
                       std::uint8_t* out) {
  const int n = evp_length(len);
  start_chunk(ctx_, nonce, 1);
  update(ctx_, in, n, out);
  std::array<std::uint8_t, 16> none{};  // a stream cipher's final writes nothing
  int written = 0;
  if (EVP_CipherFinal_ex(ctx_, none.data(), &written) != 1 || written != 0) {
    fatal("EVP_CipherFinal_ex (seal)");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagBytes),
                          out + len) != 1) {
    fatal("EVP_CTRL_AEAD_GET_TAG");
  }
}

bool ChunkCipher::open(const AeadNonce& nonce, const std::uint8_t* in, std::size_t len,
                       std::uint8_t* out) {
  if (len < kAeadTagBytes) return false;
  const std::size_t body = len - kAeadTagBytes;
  const int n = evp_length(body);
  start_chunk(ctx_, nonce, 0);
  update(ctx_, in, n, out);
  // EVP wants a mutable tag buffer; `in` stays untouched.
  std::array<std::uint8_t, kAeadTagBytes> tag{};
  std::memcpy(tag.data(), in + body, tag.size());
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()), tag.data()) !=
      1) {
    fatal("EVP_CTRL_AEAD_SET_TAG");
  }
  std::array<std::uint8_t, 16> none{};
  int written = 0;
  // The comparison inside is constant-time (CRYPTO_memcmp).
  if (EVP_CipherFinal_ex(ctx_, none.data(), &written) == 1) return true;
  // Decrypted bytes of a chunk that failed authentication must not be used
  // or left behind.
  OPENSSL_cleanse(out, body);
  ERR_clear_error();
  return false;
}

}  // namespace safehouse::age::detail
