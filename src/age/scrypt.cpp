// SPDX-License-Identifier: AGPL-3.0-or-later
// age/scrypt.cpp: the scrypt passphrase recipient type (spec "The scrypt
// recipient type"). ChaCha20-Poly1305 is not key-committing, which is fine
// here only because a scrypt stanza must be alone in its header.
#include "age/scrypt.h"

#include <charconv>
#include <stdexcept>

#include "age/primitives.h"

namespace safehouse::age {
namespace {

constexpr std::string_view kStanzaType = "scrypt";
constexpr std::string_view kLabel = "age-encryption.org/v1/scrypt";
constexpr std::size_t kSaltBytes = 16;

Bytes labelled_salt(ByteSpan salt) {
  Bytes out(kLabel.begin(), kLabel.end());
  out.insert(out.end(), salt.begin(), salt.end());
  return out;
}

// The work factor must match ^[1-9][0-9]*$ (no sign, no leading zero).
Result<int> parse_work_factor(std::string_view text) {
  if (text.empty() || text[0] < '1' || text[0] > '9' || text.size() > 2) {
    return malformed("scrypt: invalid work factor");
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return malformed("scrypt: invalid work factor");
  }
  return value;
}

}  // namespace

ScryptRecipient::ScryptRecipient(crypto::SecretBytes passphrase, int work_factor)
    : passphrase_(std::move(passphrase)), work_factor_(work_factor) {
  if (work_factor < 1 || work_factor > kScryptHardMaxWorkFactor) {
    throw std::invalid_argument("scrypt: work factor out of range");
  }
}

Result<std::vector<Stanza>> ScryptRecipient::wrap(const crypto::SecretBytes& file_key) const {
  std::array<std::uint8_t, kSaltBytes> salt{};
  detail::random_bytes(salt);
  auto key = SAFEHOUSE_TRY(detail::scrypt(passphrase_, labelled_salt(salt), work_factor_));
  Stanza stanza;
  stanza.type = std::string(kStanzaType);
  stanza.args = {detail::base64_encode_raw(salt), std::to_string(work_factor_)};
  stanza.body = detail::aead_seal(key, detail::AeadNonce{}, file_key.reveal());
  std::vector<Stanza> out;
  out.push_back(std::move(stanza));
  return out;
}

ScryptIdentity::ScryptIdentity(crypto::SecretBytes passphrase, int max_work_factor)
    : passphrase_(std::move(passphrase)),
      max_work_factor_(std::min(max_work_factor, kScryptHardMaxWorkFactor)) {}

Result<crypto::SecretBytes> ScryptIdentity::unwrap(std::span<const Stanza> stanzas) const {
  for (const Stanza& s : stanzas) {
    if (s.type == kStanzaType && stanzas.size() != 1) {
      return malformed("scrypt: stanza must be the only one in the header");
    }
  }
  if (stanzas.empty() || stanzas[0].type != kStanzaType) {
    return Error(ErrorCode::kNoMatch, "scrypt: no scrypt stanza");
  }
  const Stanza& s = stanzas[0];
  if (s.args.size() != 2) return malformed("scrypt: stanza needs exactly two arguments");
  auto salt = detail::base64_decode_raw(s.args[0]);
  if (!salt || salt->size() != kSaltBytes) return malformed("scrypt: salt is not 16 bytes");
  int log_n = SAFEHOUSE_TRY(parse_work_factor(s.args[1]));
  if (log_n > max_work_factor_) {
    return Error(ErrorCode::kTooLarge, "scrypt: work factor above the configured limit");
  }
  // Checked before the expensive KDF and any decryption.
  if (s.body.size() != kFileKeyBytes + detail::kAeadTagBytes) {
    return malformed("scrypt: wrapped file key has the wrong size");
  }
  auto key = SAFEHOUSE_TRY(detail::scrypt(passphrase_, labelled_salt(*salt), log_n));
  auto file_key = detail::aead_open_secret(key, detail::AeadNonce{}, s.body, kFileKeyBytes);
  if (!file_key) return Error(ErrorCode::kNoMatch, "scrypt: wrong passphrase");
  return file_key;
}

}  // namespace safehouse::age
