// SPDX-License-Identifier: AGPL-3.0-or-later
// age/x25519.h: the native age recipient type: X25519 keys, "age1..." and
// "AGE-SECRET-KEY-1..." strings, and the "X25519" stanza. Knows nothing of
// the header text or the payload.
#ifndef SAFEHOUSE_AGE_X25519_H_
#define SAFEHOUSE_AGE_X25519_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "age/recipient.h"

namespace safehouse::age {

class X25519Recipient : public Recipient {
 public:
  // Parses a Bech32 "age1..." string (lower case only, as age writes it).
  static Result<X25519Recipient> parse(std::string_view text);
  static X25519Recipient from_public_key(std::span<const std::uint8_t, 32> public_key);

  Result<std::vector<Stanza>> wrap(const crypto::SecretBytes& file_key) const override;
  std::string to_string() const;
  std::array<std::uint8_t, 32> public_key() const { return public_key_; }

 private:
  explicit X25519Recipient(const std::array<std::uint8_t, 32>& public_key)
      : public_key_(public_key) {}
  std::array<std::uint8_t, 32> public_key_;
};

class X25519Identity : public Identity {
 public:
  static X25519Identity generate();
  // Parses "AGE-SECRET-KEY-1..." (upper case only, as age writes it).
  static Result<X25519Identity> parse(std::string_view text);
  // Requires: scalar.size() == 32.
  static X25519Identity from_secret(crypto::SecretBytes scalar);

  X25519Identity(X25519Identity&&) noexcept = default;
  X25519Identity& operator=(X25519Identity&&) noexcept = default;

  Result<crypto::SecretBytes> unwrap(std::span<const Stanza> stanzas) const override;
  // The "AGE-SECRET-KEY-1..." text, kept in locked memory.
  crypto::SecretBytes to_string() const;
  X25519Recipient recipient() const;

 private:
  X25519Identity(crypto::SecretBytes scalar, const std::array<std::uint8_t, 32>& public_key)
      : scalar_(std::move(scalar)), public_key_(public_key) {}
  crypto::SecretBytes scalar_;
  std::array<std::uint8_t, 32> public_key_;
};

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_X25519_H_
