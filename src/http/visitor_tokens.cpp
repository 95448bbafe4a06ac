// SPDX-License-Identifier: AGPL-3.0-or-later
// http/visitor_tokens.cpp: sealing and opening visitor cookies with
// libsodium (crypto_aead_xchacha20poly1305_ietf, crypto_auth).
#include "http/visitor_tokens.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "crypto/hkdf.h"

namespace safehouse::http {
namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
// Associated data: a sealed cookie is only ever a visitor cookie.
constexpr std::string_view kPurpose = "safehouse/visitor/v1";

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

const unsigned char* purpose() {
  return reinterpret_cast<const unsigned char*>(kPurpose.data());
}

}  // namespace

VisitorTokens::VisitorTokens()
    : seal_key_(crypto::SecretBytes::random(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)),
      mac_key_(crypto::SecretBytes::random(crypto_auth_KEYBYTES)) {}

VisitorTokens::VisitorTokens(std::span<const std::uint8_t> secret) {
  static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32 && crypto_auth_KEYBYTES == 32);
  const crypto::SecretBytes keys =
      crypto::hkdf_sha256(secret, {}, std::string_view("safehouse/visitor-tokens/v1"), 64);
  seal_key_ = crypto::SecretBytes::copy_of(keys.reveal().first(32));
  mac_key_ = crypto::SecretBytes::copy_of(keys.reveal().subspan(32));
}

VisitorId VisitorTokens::new_id() {
  VisitorId id;
  randombytes_buf(id.data(), id.size());
  return id;
}

std::string VisitorTokens::seal(const VisitorId& id, std::span<const std::uint8_t> payload,
                                unsigned sign_in_failures) const {
  // Plaintext: id || failures (1 byte) || payload, in locked memory.
  crypto::SecretBytes plain(id.size() + 1 + payload.size());
  auto p = plain.reveal();
  std::copy(id.begin(), id.end(), p.begin());
  p[id.size()] = static_cast<std::uint8_t>(std::min(sign_in_failures, 255U));
  std::copy(payload.begin(), payload.end(), p.begin() + id.size() + 1);
  std::vector<std::uint8_t> sealed(kNonceBytes + p.size() + kTagBytes);
  randombytes_buf(sealed.data(), kNonceBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data() + kNonceBytes, nullptr, p.data(),
                                             p.size(), purpose(), kPurpose.size(), nullptr,
                                             sealed.data(), seal_key_.reveal().data());
  return to_hex(sealed);
}

std::optional<Visitor> VisitorTokens::open(std::string_view cookie) const {
  constexpr std::size_t kMinBytes = kNonceBytes + kTagBytes + sizeof(VisitorId) + 1;
  if (cookie.size() > kMaxCookieChars || cookie.size() < 2 * kMinBytes || cookie.size() % 2 != 0) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> sealed(cookie.size() / 2);
  std::size_t length = 0;
  if (sodium_hex2bin(sealed.data(), sealed.size(), cookie.data(), cookie.size(), nullptr, &length,
                     nullptr) != 0 ||
      length != sealed.size()) {
    return std::nullopt;
  }
  crypto::SecretBytes plain(length - kNonceBytes - kTagBytes);
  auto p = plain.reveal();
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          p.data(), nullptr, nullptr, sealed.data() + kNonceBytes, length - kNonceBytes, purpose(),
          kPurpose.size(), sealed.data(), seal_key_.reveal().data()) != 0) {
    return std::nullopt;
  }
  Visitor visitor;
  std::copy_n(p.begin(), visitor.id.size(), visitor.id.begin());
  visitor.sign_in_failures = p[visitor.id.size()];
  visitor.payload = crypto::SecretBytes::copy_of(p.subspan(visitor.id.size() + 1));
  return visitor;
}

std::string VisitorTokens::csrf_for(const VisitorId& id,
                                    std::span<const std::uint8_t> context) const {
  crypto_auth_hmacsha512256_state state;
  crypto_auth_hmacsha512256_init(&state, mac_key_.reveal().data(), mac_key_.size());
  crypto_auth_hmacsha512256_update(&state, id.data(), id.size());
  crypto_auth_hmacsha512256_update(&state, context.data(), context.size());
  std::array<std::uint8_t, crypto_auth_hmacsha512256_BYTES> mac;
  crypto_auth_hmacsha512256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return to_hex(mac);
}

}  // namespace safehouse::http
