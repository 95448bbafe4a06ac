// SPDX-License-Identifier: AGPL-3.0-or-later
// config/log_key.h: the organisation's Ed25519 log key (docs/design.md §5)
// in the C2SP signed-note key encodings, the same strings Go's
// golang.org/x/mod/sumdb/note reads:
//   verifier key  <name>+<hash>+<base64(0x01 || public key)>
//   private key   PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>
// where hash = hex of the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
// Knows keys and strings; nothing of notes' bodies, checkpoints or files.
#ifndef SAFEHOUSE_CONFIG_LOG_KEY_H_
#define SAFEHOUSE_CONFIG_LOG_KEY_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace safehouse::config {

// The signature type byte of Ed25519 in signed notes.
inline constexpr std::uint8_t kNoteAlgEd25519 = 0x01;

// True for a valid signed-note key name: non-empty UTF-8 without spaces or '+'.
bool is_valid_key_name(std::string_view name);

// A key name derived from an organisation name: lower-case ASCII letters,
// digits and '-', e.g. "Example Org (Berlin)" → "example-org-berlin";
// "safehouse" if nothing is left.
std::string key_name_for(std::string_view organisation_name);

// The 4-byte key hash of `name` and the 33-byte encoded public key.
std::uint32_t note_key_hash(std::string_view name, ByteSpan encoded_public_key);

class LogKey {
 public:
  // Requires: is_valid_key_name(name).
  static LogKey generate(std::string name);
  // Parses a "PRIVATE+KEY+..." string (surrounding whitespace allowed).
  // kMalformed with what is wrong; never echoes the key.
  static Result<LogKey> parse_private(std::string_view text);

  LogKey(LogKey&&) noexcept = default;
  LogKey& operator=(LogKey&&) noexcept = default;

  const std::string& name() const { return name_; }
  const std::array<std::uint8_t, 32>& public_key() const { return public_key_; }
  std::uint32_t key_hash() const;
  // "<name>+<hash>+<base64>": publish it, print it on the landing page.
  std::string verifier_key() const;
  // "PRIVATE+KEY+<name>+<hash>+<base64>", in locked memory.
  crypto::SecretBytes private_key_text() const;
  // An Ed25519 signature of `message`.
  std::array<std::uint8_t, 64> sign(ByteSpan message) const;

 private:
  LogKey(std::string name, crypto::SecretBytes secret, const std::array<std::uint8_t, 32>& pub)
      : name_(std::move(name)), secret_(std::move(secret)), public_key_(pub) {}
  std::string name_;
  crypto::SecretBytes secret_;  // libsodium's 64-byte secret key (seed || public key)
  std::array<std::uint8_t, 32> public_key_;
};

// Checks a verifier key string and returns its name; kMalformed otherwise.
Result<std::string> check_verifier_key(std::string_view text);

}  // namespace safehouse::config

#endif  // SAFEHOUSE_CONFIG_LOG_KEY_H_
