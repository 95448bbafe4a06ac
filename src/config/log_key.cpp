// SPDX-License-Identifier: AGPL-3.0-or-later
// config/log_key.cpp: Ed25519 through libsodium; the key strings follow
// golang.org/x/mod/sumdb/note (GenerateKey, NewVerifier, NewSigner).
#include "config/log_key.h"

#include <sodium.h>

#include <cstdio>
#include <vector>

namespace safehouse::config {

namespace {

constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

std::string base64(ByteSpan bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Strict standard base64 of exactly `size` bytes into `out`.
bool unbase64(std::string_view text, std::span<std::uint8_t> out) {
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  return length == out.size() && end == text.data() + text.size();
}

std::string hex8(std::uint32_t value) {
  char buffer[9];
  std::snprintf(buffer, sizeof buffer, "%08x", value);
  return buffer;
}

// Splits "name+hash+data" at its first two '+': names and hashes have
// none, but base64 data may.
struct KeyParts {
  std::string_view name, hash, data;
};
Result<KeyParts> split_key(std::string_view text, std::string_view what) {
  const auto first = text.find('+');
  const auto second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) {
    return malformed(std::string(what) + ": not name+hash+key");
  }
  const auto middle = first;
  const auto last = second;
  KeyParts parts{text.substr(0, middle), text.substr(middle + 1, last - middle - 1),
                 text.substr(last + 1)};
  if (!is_valid_key_name(parts.name)) return malformed(std::string(what) + ": invalid key name");
  if (parts.hash.size() != 8 ||
      parts.hash.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return malformed(std::string(what) + ": key hash is not 8 lower-case hex digits");
  }
  return parts;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' ||
                           text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

std::array<std::uint8_t, 33> encode_public(const std::array<std::uint8_t, 32>& key) {
  std::array<std::uint8_t, 33> encoded{};
  encoded[0] = kNoteAlgEd25519;
  std::copy(key.begin(), key.end(), encoded.begin() + 1);
  return encoded;
}

}  // namespace

bool is_valid_key_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c == '+' || c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string key_name_for(std::string_view organisation_name) {
  std::string name;
  for (unsigned char c : organisation_name) {
    if (std::isalnum(c) && c < 0x80) {
      name += static_cast<char>(std::tolower(c));
    } else if (!name.empty() && name.back() != '-') {
      name += '-';
    }
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "safehouse" : name;
}

std::uint32_t note_key_hash(std::string_view name, ByteSpan encoded_public_key) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(name.data()),
                            name.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>("\n"), 1);
  crypto_hash_sha256_update(&state, encoded_public_key.data(), encoded_public_key.size());
  std::array<std::uint8_t, 32> sum{};
  crypto_hash_sha256_final(&state, sum.data());
  return (std::uint32_t{sum[0]} << 24) | (std::uint32_t{sum[1]} << 16) |
         (std::uint32_t{sum[2]} << 8) | std::uint32_t{sum[3]};
}

LogKey LogKey::generate(std::string name) {
  crypto::SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  std::array<std::uint8_t, 32> pub{};
  crypto_sign_keypair(pub.data(), secret.reveal().data());
  return LogKey(std::move(name), std::move(secret), pub);
}

Result<LogKey> LogKey::parse_private(std::string_view text) {
  text = trim(text);
  if (!text.starts_with(kPrivatePrefix)) return malformed("log key: missing PRIVATE+KEY+ prefix");
  KeyParts parts = SAFEHOUSE_TRY(split_key(text.substr(kPrivatePrefix.size()), "log key"));
  crypto::SecretBytes encoded(1 + crypto_sign_SEEDBYTES);
  if (!unbase64(parts.data, encoded.reveal())) {
    return malformed("log key: key data is not base64 of 33 bytes");
  }
  if (encoded.reveal()[0] != kNoteAlgEd25519) return malformed("log key: not an Ed25519 key");
  crypto::SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  std::array<std::uint8_t, 32> pub{};
  crypto_sign_seed_keypair(pub.data(), secret.reveal().data(), encoded.reveal().data() + 1);
  LogKey key(std::string(parts.name), std::move(secret), pub);
  if (hex8(key.key_hash()) != parts.hash) return malformed("log key: key hash does not match");
  return key;
}

std::uint32_t LogKey::key_hash() const {
  return note_key_hash(name_, encode_public(public_key_));
}

std::string LogKey::verifier_key() const {
  return name_ + "+" + hex8(key_hash()) + "+" + base64(encode_public(public_key_));
}

crypto::SecretBytes LogKey::private_key_text() const {
  crypto::SecretBytes encoded(1 + crypto_sign_SEEDBYTES);
  encoded.reveal()[0] = kNoteAlgEd25519;
  // libsodium's secret key starts with the 32-byte seed.
  std::copy_n(secret_.reveal().begin(), crypto_sign_SEEDBYTES, encoded.reveal().begin() + 1);
  const std::string prefix = std::string(kPrivatePrefix) + name_ + "+" + hex8(key_hash()) + "+";
  crypto::SecretBytes text(
      prefix.size() + sodium_base64_ENCODED_LEN(encoded.size(), sodium_base64_VARIANT_ORIGINAL));
  std::copy(prefix.begin(), prefix.end(), text.reveal().begin());
  sodium_bin2base64(reinterpret_cast<char*>(text.reveal().data() + prefix.size()),
                    text.size() - prefix.size(), encoded.reveal().data(), encoded.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  // Drop the NUL terminator sodium wrote at the end.
  crypto::SecretBytes exact = crypto::SecretBytes::copy_of(text.reveal().first(text.size() - 1));
  return exact;
}

std::array<std::uint8_t, 64> LogKey::sign(ByteSpan message) const {
  std::array<std::uint8_t, 64> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_.reveal().data());
  return signature;
}

Result<std::string> check_verifier_key(std::string_view text) {
  KeyParts parts = SAFEHOUSE_TRY(split_key(trim(text), "verifier key"));
  std::array<std::uint8_t, 33> encoded{};
  if (!unbase64(parts.data, encoded)) {
    return malformed("verifier key: key data is not base64 of 33 bytes");
  }
  if (encoded[0] != kNoteAlgEd25519) return malformed("verifier key: not an Ed25519 key");
  if (hex8(note_key_hash(parts.name, encoded)) != parts.hash) {
    return malformed("verifier key: key hash does not match");
  }
  return std::string(parts.name);
}

}  // namespace safehouse::config
