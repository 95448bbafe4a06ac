// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sealed_items.h: what the JavaScript client sends instead of
// plaintext (docs/web-client.md): items it framed and age-encrypted itself,
// and, at first contact, the public keys its codename gave. The server can
// only check an item's shape — an age v1 file with one X25519 stanza per
// member of the recipient set and a well-formed STREAM length — never its
// content. Knows nothing of HTTP.
#ifndef SAFEHOUSE_INTAKE_SEALED_ITEMS_H_
#define SAFEHOUSE_INTAKE_SEALED_ITEMS_H_

#include <array>
#include <cstdint>
#include <string>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/types.h"

namespace safehouse::intake {

// Largest pre-encrypted item accepted in one request (the message limit of
// the forms plus the frame, padding and age overhead, rounded up).
inline constexpr std::size_t kMaxSealedItemBytes = 2 << 20;
// Items in one request.
inline constexpr std::size_t kMaxSealedItems = 16;

// Checks that `ciphertext` is an age v1 file encrypted to `recipient_count`
// X25519 recipients: the header parses (and is canonical), it has exactly
// that many stanzas and all are X25519, and after it come a 16-byte nonce
// and a payload whose length a STREAM of 64 KiB chunks can have (each chunk
// at least its 16-byte tag). kMalformed with what is wrong otherwise.
Result<void> check_sealed_item(ByteSpan ciphertext, std::size_t recipient_count);

// A source registered by the browser: what its codename gave, public parts.
struct SealedSource {
  store::SourceId source_id{};
  std::string reply_recipient;                 // "age1..."
  std::array<std::uint8_t, 32> signing_key{};  // Ed25519 public key
  // The source ticked the audit consent (store::CaseRecord::audit_consent).
  bool audit_consent = false;
};

// A reply as the JavaScript client gets it: the age file, decrypted in the
// browser with the reply identity the server never has.
struct SealedReply {
  store::Day day = 0;
  Bytes ciphertext;
};

// The message the source's key signs to sign in: "safehouse/sign-in/v1\n"
// followed by the 32-byte challenge (web/src/source_keys.js signInMessage).
inline constexpr std::string_view kSignInContext = "safehouse/sign-in/v1\n";
bool verify_sign_in(ByteSpan challenge, ByteSpan signature,
                    const std::array<std::uint8_t, 32>& public_key);

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_SEALED_ITEMS_H_
