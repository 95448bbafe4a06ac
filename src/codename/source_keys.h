// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/source_keys.h: the keys a source's codename stands for, derived
// the same way by the server (no-JavaScript path) and by the browser:
// Argon2id, then HKDF-SHA-256 with one label per key. Knows the codename's
// secret bytes and the key types; nothing of where the keys are used.
#ifndef SAFEHOUSE_CODENAME_SOURCE_KEYS_H_
#define SAFEHOUSE_CODENAME_SOURCE_KEYS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "age/x25519.h"
#include "codename/codename.h"
#include "crypto/secret_bytes.h"

namespace safehouse::codename {

// Argon2id parameters (libsodium crypto_pwhash, ALG_ARGON2ID13). Modest on
// purpose: the input is 96 random bits, not a password, so stretching only
// has to make guessing the few words an onlooker missed expensive, and the
// server must afford it per no-JavaScript request and a phone's browser per
// visit. docs/codename.md has the reasoning. Changing any of these, the salt
// or the labels below changes every source's keys: that needs a new version.
inline constexpr unsigned long long kArgon2OpsLimit = 2;
inline constexpr std::size_t kArgon2MemLimitBytes = std::size_t{32} << 20;  // 32 MiB
// 16 bytes (crypto_pwhash_SALTBYTES), printable so that any Argon2
// implementation (the argon2 CLI, a browser library) takes it as text.
inline constexpr std::string_view kArgon2Salt = "safehouse/cn/v01";

inline constexpr std::string_view kSourceIdInfo = "safehouse/source-id/v1";
inline constexpr std::string_view kReplyIdentityInfo = "safehouse/reply-identity/v1";
inline constexpr std::string_view kSigningKeyInfo = "safehouse/signing-key/v1";

struct SourceKeys {
  // Public: the server looks a source up by it. Reveals nothing of the codename.
  std::array<std::uint8_t, 32> source_id;
  // Replies to the source are encrypted to its recipient.
  age::X25519Identity reply_identity;
  // Ed25519, libsodium's 64-byte layout (seed then public key): the browser
  // proves it holds the codename by signing, without sending it.
  crypto::SecretBytes signing_secret_key;
  std::array<std::uint8_t, 32> signing_public_key;
};

// Deterministic: the same codename always gives the same keys. Takes about
// as long as one Argon2id run with the parameters above. Throws
// std::bad_alloc if the 32 MiB cannot be had (exhaustion, not bad input).
SourceKeys derive_source_keys(const Codename& codename);

}  // namespace safehouse::codename

#endif  // SAFEHOUSE_CODENAME_SOURCE_KEYS_H_
