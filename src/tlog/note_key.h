// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/note_key.h: Ed25519 keys for signed notes (libsodium), in the C2SP
// key encodings that config/log_key.h already prints on the landing page:
//   verifier key  <name>+<hex key ID>+<base64(type || public key)>
//   private key   PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>
// Type 0x01 is a plain Ed25519 note signature; type 0x04 is an Ed25519
// cosignature/v1 key (cosignature.h). parse_verifier_key reads both.
#ifndef SAFEHOUSE_TLOG_NOTE_KEY_H_
#define SAFEHOUSE_TLOG_NOTE_KEY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"
#include "tlog/note.h"

namespace safehouse::tlog {

inline constexpr std::uint8_t kKeyTypeEd25519 = 0x01;
inline constexpr std::uint8_t kKeyTypeCosignatureV1 = 0x04;

using Ed25519PublicKey = std::array<std::uint8_t, 32>;

std::string format_verifier_key(std::string_view name, std::uint8_t type,
                                const Ed25519PublicKey& key);

// A verifier key's parts, checked: name valid, key ID matching.
struct VerifierKey {
  std::string name;
  std::uint8_t type = 0;
  Ed25519PublicKey public_key{};
};
// kMalformed with what is wrong; kUnsupported for a type other than 0x01/0x04.
Result<VerifierKey> parse_verifier_key_parts(std::string_view text);
// The verifier for a key of either type.
Result<std::unique_ptr<NoteVerifier>> parse_verifier_key(std::string_view text);

class Ed25519Verifier final : public NoteVerifier {
 public:
  Ed25519Verifier(std::string name, const Ed25519PublicKey& key);
  const std::string& name() const override { return name_; }
  std::uint32_t key_id() const override { return key_id_; }
  bool verify(std::string_view text, ByteSpan signature) const override;
  std::string verifier_key() const;

 private:
  std::string name_;
  Ed25519PublicKey key_;
  std::uint32_t key_id_;
};

// An Ed25519 private key with its name. Used for the log key (until the
// config holds one of these), witnesses and test fixtures.
class Ed25519Key {
 public:
  // Requires is_valid_key_name(name).
  static Ed25519Key generate(std::string name);
  static Ed25519Key from_seed(std::string name, ByteSpan seed32);
  // "PRIVATE+KEY+..." (surrounding white space allowed); never echoes the key.
  static Result<Ed25519Key> parse_private_key(std::string_view text);

  const std::string& name() const { return name_; }
  const Ed25519PublicKey& public_key() const { return public_key_; }
  std::array<std::uint8_t, 64> sign(ByteSpan message) const;

 private:
  Ed25519Key(std::string name, crypto::SecretBytes secret, const Ed25519PublicKey& key)
      : name_(std::move(name)), secret_(std::move(secret)), public_key_(key) {}
  std::string name_;
  crypto::SecretBytes secret_;  // libsodium's 64-byte secret key (seed || public key)
  Ed25519PublicKey public_key_;
};

// Signs notes with type 0x01 signatures.
class Ed25519Signer final : public NoteSigner {
 public:
  explicit Ed25519Signer(Ed25519Key key);
  const std::string& name() const override { return key_.name(); }
  std::uint32_t key_id() const override { return key_id_; }
  Bytes sign(std::string_view text) const override;
  std::string verifier_key() const;
  Ed25519Verifier verifier() const { return Ed25519Verifier(key_.name(), key_.public_key()); }

 private:
  Ed25519Key key_;
  std::uint32_t key_id_;
};

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_NOTE_KEY_H_
