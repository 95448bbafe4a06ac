// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/codename.h: a source's codename, 8 words from a 4096-word list
// (96 bits). A codename *is* its 8 word indices, held as 12 secret bytes; it
// can be shown in English or Persian and typed in either, even mixed.
// Knows the word lists and normalisation; nothing of the keys derived from it.
#ifndef SAFEHOUSE_CODENAME_CODENAME_H_
#define SAFEHOUSE_CODENAME_CODENAME_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "codename/wordlist.h"
#include "crypto/secret_bytes.h"

namespace safehouse::codename {

class Codename {
 public:
  static constexpr std::size_t kWords = 8;
  static constexpr std::size_t kSecretBytes = 12;  // kWords * 12 bits
  // Longest typed codename parse() reads, in bytes: 8 long Persian words with
  // every diacritic and mark someone might type come to well under this.
  static constexpr std::size_t kMaxTypedBytes = 1024;

  // A fresh codename from libsodium's CSPRNG.
  static Codename generate();

  // Reads a typed codename: normalised (codename/normalise.h), split at
  // spaces, each word looked up in either list. Messages never repeat what
  // was typed: "codename: expected 8 words, got 5", "codename: word 3 is not
  // in the word list". Errors: kMalformed, kTooLarge.
  static Result<Codename> parse(std::string_view typed);

  // From the 12 secret bytes (as reveal() gives them).
  // Errors: kInvalidArgument if `secret` is not kSecretBytes long.
  static Result<Codename> from_secret(crypto::SecretBytes secret);

  Codename(Codename&&) noexcept = default;
  Codename& operator=(Codename&&) noexcept = default;

  // The 8 words joined by single spaces. The string is as secret as the
  // codename: show it, then let it go out of scope; never log it.
  std::string render(Language language) const;

  // The 12 secret bytes, word i in bits 12i..12i+11, big-endian. Every call
  // site handles a secret: keep them few.
  std::span<const std::uint8_t> reveal() const { return secret_.reveal(); }

  // Constant-time comparison.
  bool equals(const Codename& other) const { return secret_.equals(other.secret_); }

 private:
  explicit Codename(crypto::SecretBytes secret) : secret_(std::move(secret)) {}
  crypto::SecretBytes secret_;
};

}  // namespace safehouse::codename

#endif  // SAFEHOUSE_CODENAME_CODENAME_H_
