// SPDX-License-Identifier: AGPL-3.0-or-later
// age/x25519.cpp: the X25519 recipient type (spec "The X25519 recipient
// type"): an ephemeral share per stanza, HKDF over share||recipient, and the
// file key sealed under a fixed zero nonce, which is safe because every wrap
// key is used exactly once.
#include "age/x25519.h"

#include <algorithm>
#include <cstring>

#include "age/bech32.h"
#include "age/primitives.h"
#include "crypto/hkdf.h"

namespace safehouse::age {
namespace {

constexpr std::string_view kStanzaType = "X25519";
constexpr std::string_view kLabel = "age-encryption.org/v1/X25519";
constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "AGE-SECRET-KEY-";

crypto::SecretBytes wrap_key(const crypto::SecretBytes& shared, ByteSpan share,
                             ByteSpan recipient) {
  std::array<std::uint8_t, 64> salt{};
  std::copy(share.begin(), share.end(), salt.begin());
  std::copy(recipient.begin(), recipient.end(), salt.begin() + 32);
  return crypto::hkdf_sha256(shared.reveal(), salt, kLabel, detail::kAeadKeyBytes);
}

}  // namespace

Result<X25519Recipient> X25519Recipient::parse(std::string_view text) {
  auto decoded = detail::bech32_decode(text);
  if (!decoded) return invalid_argument("malformed recipient: " + decoded.error().message());
  if (decoded->hrp != kRecipientHrp) return invalid_argument("malformed recipient: not age1...");
  if (decoded->data.size() != 32) return invalid_argument("malformed recipient: wrong key size");
  std::array<std::uint8_t, 32> key{};
  std::copy(decoded->data.begin(), decoded->data.end(), key.begin());
  return X25519Recipient(key);
}

X25519Recipient X25519Recipient::from_public_key(std::span<const std::uint8_t, 32> public_key) {
  std::array<std::uint8_t, 32> key{};
  std::copy(public_key.begin(), public_key.end(), key.begin());
  return X25519Recipient(key);
}

std::string X25519Recipient::to_string() const {
  return detail::bech32_encode(kRecipientHrp, public_key_);
}

Result<std::vector<Stanza>> X25519Recipient::wrap(const crypto::SecretBytes& file_key) const {
  crypto::SecretBytes ephemeral = crypto::SecretBytes::random(32);
  detail::X25519Point share = detail::x25519_base(ephemeral);
  auto shared = detail::x25519(ephemeral, public_key_);
  if (!shared) return invalid_argument("x25519: recipient is a low-order point");
  crypto::SecretBytes key = wrap_key(*shared, share, public_key_);
  Stanza stanza;
  stanza.type = std::string(kStanzaType);
  stanza.args.push_back(detail::base64_encode_raw(share));
  stanza.body = detail::aead_seal(key, detail::AeadNonce{}, file_key.reveal());
  std::vector<Stanza> out;
  out.push_back(std::move(stanza));
  return out;
}

X25519Identity X25519Identity::generate() {
  return from_secret(crypto::SecretBytes::random(32));
}

Result<X25519Identity> X25519Identity::parse(std::string_view text) {
  auto decoded = detail::bech32_decode(text);
  if (!decoded) return invalid_argument("malformed secret key: " + decoded.error().message());
  crypto::SecretBytes scalar = crypto::SecretBytes::copy_of(decoded->data);
  crypto::wipe(decoded->data);
  if (decoded->hrp != kIdentityHrp) {
    return invalid_argument("malformed secret key: not AGE-SECRET-KEY-1...");
  }
  if (scalar.size() != 32) return invalid_argument("malformed secret key: wrong key size");
  return from_secret(std::move(scalar));
}

X25519Identity X25519Identity::from_secret(crypto::SecretBytes scalar) {
  detail::X25519Point public_key = detail::x25519_base(scalar);
  return X25519Identity(std::move(scalar), public_key);
}

crypto::SecretBytes X25519Identity::to_string() const {
  std::string text = detail::bech32_encode(kIdentityHrp, scalar_.reveal());
  crypto::SecretBytes out = crypto::SecretBytes::copy_of(
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  crypto::wipe({reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
  return out;
}

X25519Recipient X25519Identity::recipient() const {
  return X25519Recipient::from_public_key(public_key_);
}

Result<crypto::SecretBytes> X25519Identity::unwrap(std::span<const Stanza> stanzas) const {
  for (const Stanza& s : stanzas) {
    if (s.type != kStanzaType) continue;
    // Malformed X25519 stanzas are fatal even if not ours: the spec says to
    // reject them, and skipping would hide tampering.
    if (s.args.size() != 1) return malformed("x25519: stanza needs exactly one argument");
    auto share = detail::base64_decode_raw(s.args[0]);
    if (!share || share->size() != 32) return malformed("x25519: share is not 32 bytes");
    // Checked before any decryption, against partitioning-oracle attacks.
    if (s.body.size() != kFileKeyBytes + detail::kAeadTagBytes) {
      return malformed("x25519: wrapped file key has the wrong size");
    }
    auto shared = detail::x25519(scalar_, *share);
    if (!shared) return shared.error();
    crypto::SecretBytes key = wrap_key(*shared, *share, public_key_);
    auto file_key = detail::aead_open_secret(key, detail::AeadNonce{}, s.body, kFileKeyBytes);
    if (file_key) return file_key;
  }
  return Error(ErrorCode::kNoMatch, "x25519: no stanza for this identity");
}

}  // namespace safehouse::age
