// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/note_key.cpp: Ed25519 through libsodium; the key strings follow
// golang.org/x/mod/sumdb/note (NewVerifier, NewSigner), like config/log_key.
#include "tlog/note_key.h"

#include <sodium.h>

#include <cstdio>

#include "tlog/cosignature.h"
#include "tlog/encoding.h"

namespace safehouse::tlog {

namespace {

constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

std::string hex8(std::uint32_t value) {
  char buffer[9];
  std::snprintf(buffer, sizeof buffer, "%08x", value);
  return buffer;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// "name+hash+data", split at the first two '+': names and hashes have none,
// base64 data may.
struct KeyParts {
  std::string_view name, hash;
  Bytes data;
};
Result<KeyParts> split_key(std::string_view text, std::string_view what) {
  const auto first = text.find('+');
  const auto second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) return malformed(std::string(what) + ": not name+hash+key");
  KeyParts parts{text.substr(0, first), text.substr(first + 1, second - first - 1), {}};
  if (!is_valid_key_name(parts.name)) return malformed(std::string(what) + ": invalid key name");
  if (parts.hash.size() != 8 ||
      parts.hash.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return malformed(std::string(what) + ": key ID is not 8 lower-case hex digits");
  }
  auto data = base64_decode(text.substr(second + 1));
  if (!data || data->empty()) return malformed(std::string(what) + ": key is not base64");
  parts.data = std::move(*data);
  return parts;
}

}  // namespace

std::string format_verifier_key(std::string_view name, std::uint8_t type,
                                const Ed25519PublicKey& key) {
  Bytes encoded{type};
  encoded.insert(encoded.end(), key.begin(), key.end());
  return std::string(name) + "+" + hex8(note_key_id(name, type, key)) + "+" +
         base64_encode(encoded);
}

Result<VerifierKey> parse_verifier_key_parts(std::string_view text) {
  const KeyParts parts = SAFEHOUSE_TRY(split_key(trim(text), "verifier key"));
  VerifierKey key;
  key.name = std::string(parts.name);
  key.type = parts.data[0];
  if (key.type != kKeyTypeEd25519 && key.type != kKeyTypeCosignatureV1) {
    return Error(ErrorCode::kUnsupported,
                 "verifier key: key type " + std::to_string(key.type) + " is not 1 or 4");
  }
  if (parts.data.size() != 1 + key.public_key.size()) {
    return malformed("verifier key: an Ed25519 key is 32 bytes");
  }
  std::copy(parts.data.begin() + 1, parts.data.end(), key.public_key.begin());
  if (hex8(note_key_id(key.name, key.type, key.public_key)) != parts.hash) {
    return malformed("verifier key: key ID does not match the key");
  }
  return key;
}

Result<std::unique_ptr<NoteVerifier>> parse_verifier_key(std::string_view text) {
  const VerifierKey key = SAFEHOUSE_TRY(parse_verifier_key_parts(text));
  if (key.type == kKeyTypeCosignatureV1) {
    return std::unique_ptr<NoteVerifier>(new CosignatureV1Verifier(key.name, key.public_key));
  }
  return std::unique_ptr<NoteVerifier>(new Ed25519Verifier(key.name, key.public_key));
}

Ed25519Verifier::Ed25519Verifier(std::string name, const Ed25519PublicKey& key)
    : name_(std::move(name)), key_(key), key_id_(note_key_id(name_, kKeyTypeEd25519, key_)) {}

bool Ed25519Verifier::verify(std::string_view text, ByteSpan signature) const {
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size(), key_.data()) == 0;
}

std::string Ed25519Verifier::verifier_key() const {
  return format_verifier_key(name_, kKeyTypeEd25519, key_);
}

Ed25519Key Ed25519Key::generate(std::string name) {
  return from_seed(std::move(name), crypto::SecretBytes::random(crypto_sign_SEEDBYTES).reveal());
}

Ed25519Key Ed25519Key::from_seed(std::string name, ByteSpan seed32) {
  crypto::SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  Ed25519PublicKey key{};
  crypto_sign_seed_keypair(key.data(), secret.reveal().data(), seed32.data());
  return Ed25519Key(std::move(name), std::move(secret), key);
}

Result<Ed25519Key> Ed25519Key::parse_private_key(std::string_view text) {
  text = trim(text);
  if (!text.starts_with(kPrivatePrefix)) {
    return malformed("private key: missing PRIVATE+KEY+ prefix");
  }
  KeyParts parts = SAFEHOUSE_TRY(split_key(text.substr(kPrivatePrefix.size()), "private key"));
  const crypto::SecretBytes data = crypto::SecretBytes::copy_of(parts.data);
  sodium_memzero(parts.data.data(), parts.data.size());
  if (data.size() != 1 + crypto_sign_SEEDBYTES || data.reveal()[0] != kKeyTypeEd25519) {
    return malformed("private key: not an Ed25519 key of 32 bytes");
  }
  Ed25519Key key = from_seed(std::string(parts.name), data.reveal().subspan(1));
  if (hex8(note_key_id(key.name(), kKeyTypeEd25519, key.public_key())) != parts.hash) {
    return malformed("private key: key ID does not match the key");
  }
  return key;
}

std::array<std::uint8_t, 64> Ed25519Key::sign(ByteSpan message) const {
  std::array<std::uint8_t, 64> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_.reveal().data());
  return signature;
}

Ed25519Signer::Ed25519Signer(Ed25519Key key)
    : key_(std::move(key)), key_id_(note_key_id(key_.name(), kKeyTypeEd25519, key_.public_key())) {}

Bytes Ed25519Signer::sign(std::string_view text) const {
  const auto signature =
      key_.sign({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  return Bytes(signature.begin(), signature.end());
}

std::string Ed25519Signer::verifier_key() const {
  return format_verifier_key(key_.name(), kKeyTypeEd25519, key_.public_key());
}

}  // namespace safehouse::tlog
