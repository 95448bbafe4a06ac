// SPDX-License-Identifier: AGPL-3.0-or-later
// review/identities.cpp: plain or passphrase-sealed identity files.
#include "review/identities.h"

#include <algorithm>
#include <string_view>

#include "age/age.h"
#include "age/armor.h"
#include "age/identity_file.h"
#include "age/scrypt.h"
#include "crypto/secret_sink.h"

namespace safehouse::review {
namespace {

constexpr std::string_view kAgeMagic = "age-encryption.org/v1\n";

Result<std::vector<std::unique_ptr<age::Identity>>> parse_lines(std::string_view text) {
  auto parsed = age::parse_identity_file(text);
  if (!parsed) return parsed.error().with_context("identity file");
  if (parsed->empty()) return malformed("identity file: no identities in it");
  return std::move(*parsed);
}

}  // namespace

bool is_age_file(ByteSpan file) {
  const std::string_view head(reinterpret_cast<const char*>(file.data()),
                              std::min(file.size(), kAgeMagic.size()));
  return head == kAgeMagic || age::looks_armored(file);
}

Result<std::vector<std::unique_ptr<age::Identity>>> load_identities(
    ByteSpan file, const PassphraseSource& passphrase) {
  if (!is_age_file(file)) {
    return parse_lines({reinterpret_cast<const char*>(file.data()), file.size()});
  }
  age::ScryptIdentity identity(SAFEHOUSE_TRY(passphrase()));
  const age::Identity* identities[] = {&identity};
  SpanSource raw(file);
  age::ArmorReader armored(raw);
  ByteSource& in = age::looks_armored(file) ? static_cast<ByteSource&>(armored) : raw;
  crypto::SecretSink sink(kMaxIdentityFileBytes, "identity file");
  auto decrypted = age::decrypt(identities, in, sink);
  if (!decrypted) {
    const ErrorCode code = decrypted.error().code();
    if (code == ErrorCode::kNoMatch || code == ErrorCode::kIntegrity) {
      return Error(code, "identity file: wrong passphrase (or not a passphrase-encrypted file)");
    }
    return decrypted.error().with_context("identity file");
  }
  return parse_lines(sink.text());
}

}  // namespace safehouse::review
