// SPDX-License-Identifier: AGPL-3.0-or-later
// review/reviewer_keys.cpp: reviewer identities, derived signing keys,
// approval messages (libsodium Ed25519).
#include "review/reviewer_keys.h"

#include <sodium.h>

#include <algorithm>

#include "age/identity_file.h"
#include "crypto/hkdf.h"

namespace safehouse::review {

ReviewerKeys ReviewerKeys::generate() {
  return from_identity(age::X25519Identity::generate());
}

ReviewerKeys ReviewerKeys::from_identity(age::X25519Identity identity) {
  const crypto::SecretBytes text = identity.to_string();
  const crypto::SecretBytes seed = crypto::hkdf_sha256(text.reveal(), {}, kSigningKeyInfo, 32);
  crypto::SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  store::SigningKey public_key{};
  crypto_sign_seed_keypair(public_key.data(), secret.reveal().data(), seed.reveal().data());
  return ReviewerKeys(std::move(identity), std::move(secret), public_key);
}

store::Signature ReviewerKeys::sign(ByteSpan message) const {
  store::Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_.reveal().data());
  return signature;
}

std::string signing_key_text(const store::SigningKey& key) {
  std::string out(sodium_base64_ENCODED_LEN(key.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

crypto::SecretBytes reviewer_key_file(const ReviewerKeys& keys, std::string_view name) {
  // No "# created:" line: a time is identifying metadata (invariant 2).
  const std::string head =
      "# Safehouse reviewer " + std::string(name) + "\n# public key: " + keys.recipient() +
      "\n# signing key (Ed25519, derived from the identity below; docs/reviewing.md): " +
      signing_key_text(keys.signing_key()) + "\n";
  const crypto::SecretBytes line = keys.identity().to_string();
  crypto::SecretBytes text(head.size() + line.size() + 1);
  auto out = text.reveal();
  std::copy(head.begin(), head.end(), out.begin());
  std::copy(line.reveal().begin(), line.reveal().end(),
            out.begin() + static_cast<long>(head.size()));
  out.back() = '\n';
  return text;
}

Result<std::vector<ReviewerKeys>> load_reviewer_keys(ByteSpan file,
                                                     const PassphraseSource& passphrase) {
  auto identities = SAFEHOUSE_TRY(load_identities(file, passphrase));
  std::vector<ReviewerKeys> keys;
  for (auto& identity : identities) {
    auto* x25519 = dynamic_cast<age::X25519Identity*>(identity.get());
    if (x25519 != nullptr) keys.push_back(ReviewerKeys::from_identity(std::move(*x25519)));
  }
  if (keys.empty()) return malformed("identity file: no AGE-SECRET-KEY-1 identity in it");
  return keys;
}

std::string approval_message(const ApprovalSubject& s) {
  return "safehouse/approval/v1\ninstallation " + s.installation + "\ncase " +
         std::to_string(s.case_id) + "\nevent " + std::to_string(s.event_number) + "\nfrom " +
         std::string(store::status_name(s.from)) + "\nto " + std::string(store::status_name(s.to)) +
         "\n";
}

bool verify_approval(const store::SigningKey& key, const ApprovalSubject& subject,
                     const store::Signature& signature) {
  const std::string message = approval_message(subject);
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

Result<void> check_reviewer_name(std::string_view name) {
  const bool ok = !name.empty() && name.size() <= 64 && name.front() != '.' &&
                  name.front() != '-' && std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    return invalid_argument(
        "reviewer name: 1 to 64 of a-z A-Z 0-9 . _ - (not starting with . or -)");
  }
  return {};
}

}  // namespace safehouse::review
