// SPDX-License-Identifier: AGPL-3.0-or-later
// age/primitives.cpp: thin wrappers over libsodium for the age engine. Each
// checks lengths before calling in, so callers cannot misuse the C API.
#include "age/primitives.h"

#include <sodium.h>

#include <stdexcept>

namespace safehouse::age::detail {

static_assert(kAeadKeyBytes == crypto_aead_chacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_chacha20poly1305_ietf_ABYTES);
static_assert(kX25519Bytes == crypto_scalarmult_BYTES);
static_assert(kMacBytes == crypto_auth_hmacsha256_BYTES);

namespace {

void require_key(const crypto::SecretBytes& key, std::size_t size) {
  // A wrong size here is a bug in the caller, never bad input.
  if (key.size() != size) throw std::logic_error("age primitives: wrong key size");
}

}  // namespace

void random_bytes(MutableByteSpan out) {
  randombytes_buf(out.data(), out.size());
}

X25519Point x25519_base(const crypto::SecretBytes& scalar) {
  require_key(scalar, kX25519Bytes);
  X25519Point point{};
  crypto_scalarmult_base(point.data(), scalar.reveal().data());
  return point;
}

Result<crypto::SecretBytes> x25519(const crypto::SecretBytes& scalar, ByteSpan point) {
  require_key(scalar, kX25519Bytes);
  if (point.size() != kX25519Bytes) return malformed("x25519: point is not 32 bytes");
  crypto::SecretBytes shared(kX25519Bytes);
  // libsodium returns -1 when the result is all zeros: the share was a
  // low-order point, and the spec says to abort rather than use it.
  if (crypto_scalarmult(shared.reveal().data(), scalar.reveal().data(), point.data()) != 0) {
    return malformed("x25519: shared secret is all zeros (low-order share)");
  }
  return shared;
}

Bytes aead_seal(const crypto::SecretBytes& key, const AeadNonce& nonce, ByteSpan plaintext) {
  require_key(key, kAeadKeyBytes);
  Bytes out(plaintext.size() + kAeadTagBytes);
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), nullptr, plaintext.data(), plaintext.size(),
                                            nullptr, 0, nullptr, nonce.data(), key.reveal().data());
  return out;
}

Result<crypto::SecretBytes> aead_open_secret(const crypto::SecretBytes& key, const AeadNonce& nonce,
                                             ByteSpan ciphertext, std::size_t plaintext_size) {
  require_key(key, kAeadKeyBytes);
  if (ciphertext.size() != plaintext_size + kAeadTagBytes) {
    return malformed("wrapped file key has the wrong size");
  }
  crypto::SecretBytes out(plaintext_size);
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.reveal().data(), nullptr, nullptr,
                                                ciphertext.data(), ciphertext.size(), nullptr, 0,
                                                nonce.data(), key.reveal().data()) != 0) {
    return Error(ErrorCode::kIntegrity, "authentication tag does not verify");
  }
  return out;
}

Mac hmac_sha256(const crypto::SecretBytes& key, ByteSpan message) {
  Mac mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.reveal().data(), key.size());
  crypto_auth_hmacsha256_update(&state, message.data(), message.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

bool equal_constant_time(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<crypto::SecretBytes> scrypt(const crypto::SecretBytes& passphrase, ByteSpan salt,
                                   int log_n) {
  if (log_n < 1 || log_n > 62) return invalid_argument("scrypt: work factor out of range");
  crypto::SecretBytes out(kAeadKeyBytes);
  if (crypto_pwhash_scryptsalsa208sha256_ll(passphrase.reveal().data(), passphrase.size(),
                                            salt.data(), salt.size(), std::uint64_t{1} << log_n, 8,
                                            1, out.reveal().data(), out.size()) != 0) {
    return Error(ErrorCode::kUnavailable, "scrypt: out of memory or parameters refused");
  }
  return out;
}

std::array<std::uint8_t, 32> sha256(ByteSpan message) {
  std::array<std::uint8_t, 32> out{};
  crypto_hash_sha256(out.data(), message.data(), message.size());
  return out;
}

namespace {

std::string base64_encode(ByteSpan data, int variant) {
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.pop_back();  // the terminating NUL
  return out;
}

bool is_base64_char(char c, bool padded) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || (padded && c == '=');
}

// libsodium's decoder rejects non-zero trailing bits and (for the padded
// variant) missing or extra '=': the canonical-only rule both the header and
// the armor need. But libsodium 1.0.18 maps some bytes >= 0x80 to alphabet
// values (found by fuzzing), so the alphabet is checked here first.
bool base64_decode(std::string_view text, int variant, Bytes& out) {
  const bool padded = variant == sodium_base64_VARIANT_ORIGINAL;
  for (char c : text) {
    if (!is_base64_char(c, padded)) {
      out.clear();
      return false;
    }
  }
  out.resize(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        variant) != 0) {
    out.clear();
    return false;
  }
  out.resize(len);
  return true;
}

}  // namespace

std::string base64_encode_raw(ByteSpan data) {
  return base64_encode(data, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

std::optional<Bytes> base64_decode_raw(std::string_view text) {
  Bytes out;
  if (!base64_decode(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, out)) return std::nullopt;
  return out;
}

std::string base64_encode_padded(ByteSpan data) {
  return base64_encode(data, sodium_base64_VARIANT_ORIGINAL);
}

bool base64_decode_padded(std::string_view text, Bytes& out) {
  return base64_decode(text, sodium_base64_VARIANT_ORIGINAL, out);
}

}  // namespace safehouse::age::detail
