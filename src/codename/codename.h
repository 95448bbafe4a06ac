// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/codename.h: a source's codename, 9 words from a 2048-word list
// (99 bits). A codename *is* its 9 word indices, held as 13 secret bytes; it
// can be shown in English or Persian and typed in either, even mixed, with
// the spelling slips the folding key forgives (normalise.h).
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
  static constexpr std::size_t kWords = 9;
  static constexpr std::size_t kBits = kWords * kWordBits;  // 99
  // 99 bits in 13 bytes; the last byte's 5 low bits are always zero.
  static constexpr std::size_t kSecretBytes = (kBits + 7) / 8;
  // Longest typed codename parse() reads, in bytes: 9 long Persian words with
  // every diacritic and mark someone might type come to well under this.
  static constexpr std::size_t kMaxTypedBytes = 1024;

  // A fresh codename from libsodium's CSPRNG.
  static Codename generate();

  // Reads a typed codename: normalised and folded to one key string
  // (codename/normalise.h), which splits into words of either list in one
  // way only, wherever the spaces were. Messages never repeat what was typed:
  // "codename: expected 9 words, got 5", "codename: word 3 is not in the
  // word list". Errors: kMalformed, kTooLarge.
  static Result<Codename> parse(std::string_view typed);

  // From the 13 secret bytes (as reveal() gives them).
  // Errors: kInvalidArgument if `secret` is not kSecretBytes long or its
  // unused low bits are not zero (two secrets would name one codename).
  static Result<Codename> from_secret(crypto::SecretBytes secret);

  Codename(Codename&&) noexcept = default;
  Codename& operator=(Codename&&) noexcept = default;

  // The 9 words, spelled as the list spells them, joined by single spaces. The string is as secret
  // as the codename: show it, then let it go out of scope; never log it.
  std::string render(Language language) const;

  // The 13 secret bytes, word i in bits 11i..11i+10 counted from the most
  // significant bit of byte 0; the last 5 bits are zero. Every call
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
