// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/source_keys_test.cpp: derivation is deterministic, keys
// differ between codenames, the key pairs work, and known answers are pinned
// (the browser must derive the same keys; a change here strands sources).
#include "codename/source_keys.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <string>
#include <vector>

namespace safehouse::codename {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Codename fixed_codename() {
  const std::array<std::uint8_t, Codename::kSecretBytes> bytes{0, 1, 2, 3,  4,  5, 6,
                                                               7, 8, 9, 10, 11, 0};
  auto codename = Codename::from_secret(crypto::SecretBytes::copy_of(bytes));
  return std::move(*codename);
}

TEST(SourceKeys, Deterministic) {
  const Codename codename = Codename::generate();
  const SourceKeys a = derive_source_keys(codename);
  // Through the Persian words and back, as a returning source would type it.
  const SourceKeys b = derive_source_keys(*Codename::parse(codename.render(Language::kPersian)));
  EXPECT_EQ(a.source_id, b.source_id);
  EXPECT_EQ(a.signing_public_key, b.signing_public_key);
  EXPECT_TRUE(a.signing_secret_key.equals(b.signing_secret_key));
  EXPECT_EQ(a.reply_identity.recipient().to_string(), b.reply_identity.recipient().to_string());
  EXPECT_TRUE(a.reply_identity.to_string().equals(b.reply_identity.to_string()));
}

TEST(SourceKeys, DifferentCodenamesGiveDifferentKeys) {
  const SourceKeys a = derive_source_keys(Codename::generate());
  const SourceKeys b = derive_source_keys(Codename::generate());
  EXPECT_NE(a.source_id, b.source_id);
  EXPECT_NE(a.signing_public_key, b.signing_public_key);
  EXPECT_NE(a.reply_identity.recipient().to_string(), b.reply_identity.recipient().to_string());
}

TEST(SourceKeys, KeysAreIndependentOfEachOther) {
  const SourceKeys keys = derive_source_keys(fixed_codename());
  const auto reply_public = keys.reply_identity.recipient().public_key();
  EXPECT_NE(keys.source_id, keys.signing_public_key);
  EXPECT_NE(keys.source_id, reply_public);
  EXPECT_NE(
      std::vector<std::uint8_t>(reply_public.begin(), reply_public.end()),
      std::vector<std::uint8_t>(keys.signing_public_key.begin(), keys.signing_public_key.end()));
}

TEST(SourceKeys, SigningKeyPairSigns) {
  const SourceKeys keys = derive_source_keys(fixed_codename());
  ASSERT_EQ(keys.signing_secret_key.size(), crypto_sign_SECRETKEYBYTES);
  const std::string message = "safehouse test message";
  std::array<std::uint8_t, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       keys.signing_secret_key.reveal().data());
  EXPECT_EQ(crypto_sign_verify_detached(signature.data(),
                                        reinterpret_cast<const unsigned char*>(message.data()),
                                        message.size(), keys.signing_public_key.data()),
            0);
  // libsodium's secret key layout ends with the public key.
  EXPECT_EQ(hex(keys.signing_secret_key.reveal().subspan(32)), hex(keys.signing_public_key));
}

TEST(SourceKeys, ReplyIdentityUnwrapsWhatItsRecipientWraps) {
  const SourceKeys keys = derive_source_keys(fixed_codename());
  const crypto::SecretBytes file_key = crypto::SecretBytes::random(16);
  auto stanzas = keys.reply_identity.recipient().wrap(file_key);
  ASSERT_TRUE(stanzas) << stanzas.error().message();
  auto unwrapped = keys.reply_identity.unwrap(*stanzas);
  ASSERT_TRUE(unwrapped) << unwrapped.error().message();
  EXPECT_TRUE(unwrapped->equals(file_key));
}

// Known answers for the codename whose secret is 00 01 .. 0b 00, pinned so that
// any change to costs, salt or labels is caught (it would need a new
// version). derivation_peer_test.py computes the same values with the
// reference argon2 CLI, Python's hmac, age-keygen and openssl.
TEST(SourceKeys, KnownAnswer) {
  const SourceKeys keys = derive_source_keys(fixed_codename());
  EXPECT_EQ(hex(keys.source_id),
            "87c1c4acc18bbb189b1be14f2bd0416c18db4252ed91c563ee3b77bd39396ccc");
  EXPECT_EQ(hex(keys.signing_public_key),
            "5e0708d3c9224ca284e20c95643fba83b141243047b39d2e20ecda14ca955706");
  EXPECT_EQ(keys.reply_identity.recipient().to_string(),
            "age1q6yp7y3m0r85d9k6rdfx3wuw0nxps0ckdx04gpkykhdyt5nrzgss993pau");
}

}  // namespace
}  // namespace safehouse::codename
