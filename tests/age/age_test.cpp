// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/age_test.cpp: encrypt/decrypt round trips through the public API
// (X25519, scrypt, armor), error classes, and rewrap.
#include "age/age.h"

#include <gtest/gtest.h>

#include "age/armor.h"
#include "age/format.h"
#include "age/scrypt.h"
#include "age/x25519.h"
#include "test_util.h"

namespace safehouse::age {
namespace {

crypto::SecretBytes secret(std::string_view s) {
  return crypto::SecretBytes::copy_of(as_bytes(s));
}

Bytes encrypt_to(std::span<const Recipient* const> recipients, ByteSpan plaintext,
                 std::size_t piece = 1 << 30) {
  Bytes out;
  testing::CountingSink sink(out);
  auto w = encrypt(recipients, sink);
  EXPECT_TRUE(w) << w.error().message();
  for (std::size_t i = 0; i < plaintext.size(); i += piece) {
    EXPECT_TRUE((*w)->write(plaintext.subspan(i, std::min(piece, plaintext.size() - i))));
  }
  EXPECT_TRUE((*w)->finish());
  EXPECT_EQ(sink.finishes, 1);
  return out;
}

Result<Bytes> decrypt_from(std::span<const Identity* const> identities, ByteSpan ciphertext) {
  Bytes out;
  testing::CountingSink sink(out);
  testing::PieceSource source(ciphertext, 30000);
  SAFEHOUSE_TRY_VOID(decrypt(identities, source, sink));
  EXPECT_EQ(sink.finishes, 1);
  return out;
}

TEST(Age, X25519RoundTripsAtChunkBoundaries) {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient r = id.recipient();
  const Recipient* rs[] = {&r};
  const Identity* ids[] = {&id};
  for (std::size_t size : {0, 1, 65535, 65536, 65537, 131073}) {
    Bytes data = testing::pattern(size);
    Bytes ct = encrypt_to(rs, data, 4096);
    auto back = decrypt_from(ids, ct);
    ASSERT_TRUE(back) << size << ": " << back.error().message();
    EXPECT_EQ(*back, data);
  }
}

TEST(Age, ManyRecipientsAnyIdentityDecrypts) {
  X25519Identity a = X25519Identity::generate(), b = X25519Identity::generate();
  X25519Recipient ra = a.recipient(), rb = b.recipient();
  const Recipient* rs[] = {&ra, &rb};
  Bytes data = testing::pattern(1000);
  Bytes ct = encrypt_to(rs, data);
  const Identity* only_b[] = {&b};
  auto back = decrypt_from(only_b, ct);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, data);

  X25519Identity stranger = X25519Identity::generate();
  const Identity* wrong[] = {&stranger};
  auto r = decrypt_from(wrong, ct);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNoMatch);
}

TEST(Age, EncryptBytesIsTheStreamInMemory) {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient r = id.recipient();
  const Recipient* rs[] = {&r};
  const Identity* ids[] = {&id};
  for (std::size_t size : {0, 1, 65537}) {
    const Bytes data = testing::pattern(size);
    auto sealed = encrypt_bytes(rs, data);
    ASSERT_TRUE(sealed) << sealed.error().message();
    auto back = decrypt_from(ids, *sealed);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, data);
  }
  EXPECT_FALSE(encrypt_bytes({}, testing::pattern(10)));
}

TEST(Age, ScryptRoundTripAndWrongPassphrase) {
  ScryptRecipient r(secret("correct horse"), 10);
  const Recipient* rs[] = {&r};
  Bytes data = testing::pattern(70000);
  Bytes ct = encrypt_to(rs, data);
  ScryptIdentity good(secret("correct horse"));
  const Identity* ids[] = {&good};
  auto back = decrypt_from(ids, ct);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, data);

  ScryptIdentity bad(secret("wrong"));
  const Identity* bad_ids[] = {&bad};
  auto r2 = decrypt_from(bad_ids, ct);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code(), ErrorCode::kNoMatch);

  ScryptIdentity capped(secret("correct horse"), 9);
  const Identity* capped_ids[] = {&capped};
  auto r3 = decrypt_from(capped_ids, ct);
  ASSERT_FALSE(r3);
  EXPECT_TRUE(r3.error().message().starts_with("header: ")) << r3.error().message();
}

TEST(Age, ScryptCannotBeMixed) {
  ScryptRecipient s(secret("pw"), 10);
  X25519Recipient x = X25519Identity::generate().recipient();
  const Recipient* rs[] = {&s, &x};
  Bytes out;
  VectorSink sink(out);
  auto r = encrypt(rs, sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(encrypt(std::span<const Recipient* const>{}, sink));
}

TEST(Age, ArmoredRoundTrip) {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient r = id.recipient();
  const Recipient* rs[] = {&r};
  Bytes data = testing::pattern(100000);
  Bytes armored;
  VectorSink sink(armored);
  auto armor = armor_writer(sink);
  auto w = encrypt(rs, *armor);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->write(data));
  ASSERT_TRUE((*w)->finish());
  ASSERT_TRUE(looks_armored(armored));

  SpanSource source(armored);
  ArmorReader reader(source);
  Bytes back;
  VectorSink back_sink(back);
  const Identity* ids[] = {&id};
  auto result = decrypt(ids, reader, back_sink);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(back, data);
}

TEST(Age, ErrorClasses) {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient r = id.recipient();
  const Recipient* rs[] = {&r};
  const Identity* ids[] = {&id};
  Bytes ct = encrypt_to(rs, testing::pattern(100));
  std::size_t header_end =
      std::string_view(reinterpret_cast<const char*>(ct.data()), ct.size()).find("\n---") + 1;
  header_end = std::find(ct.begin() + static_cast<std::ptrdiff_t>(header_end), ct.end(), '\n') -
               ct.begin() + 1;

  Bytes bad_mac = ct;
  // A MAC character (not the last, so any letter stays canonical) changed.
  bad_mac[header_end - 5] = bad_mac[header_end - 5] == 'A' ? 'B' : 'A';
  auto r1 = decrypt_from(ids, bad_mac);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code(), ErrorCode::kIntegrity);
  EXPECT_TRUE(r1.error().message().starts_with("header: MAC")) << r1.error().message();

  Bytes bad_payload = ct;
  bad_payload.back() ^= 1;
  auto r2 = decrypt_from(ids, bad_payload);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code(), ErrorCode::kIntegrity);
  EXPECT_TRUE(r2.error().message().starts_with("payload: "));

  auto r3 = decrypt_from(ids, ByteSpan(ct).first(header_end + 10));
  ASSERT_FALSE(r3);
  EXPECT_TRUE(r3.error().message().starts_with("header: ")) << r3.error().message();
}

TEST(Age, RewrapAddsARecipientAndKeepsThePayload) {
  X25519Identity old_id = X25519Identity::generate(), new_id = X25519Identity::generate();
  X25519Recipient old_r = old_id.recipient(), new_r = new_id.recipient();
  const Recipient* rs[] = {&old_r};
  Bytes data = testing::pattern(150000);
  Bytes ct = encrypt_to(rs, data);

  const Identity* old_ids[] = {&old_id};
  SpanSource source(ct);
  Bytes rewrapped;
  testing::CountingSink sink(rewrapped);
  auto r = rewrap(old_ids, new_r, source, sink);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(sink.finishes, 1);

  const Identity* new_ids[] = {&new_id};
  auto back = decrypt_from(new_ids, rewrapped);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, data);
  auto back_old = decrypt_from(old_ids, rewrapped);
  ASSERT_TRUE(back_old);

  // Payload bytes (nonce and chunks) are identical.
  auto h1 = detail::parse_header(ct);
  auto h2 = detail::parse_header(rewrapped);
  ASSERT_TRUE(h1 && h2);
  EXPECT_EQ(h2->header.stanzas.size(), 2u);
  // After the MAC input come " ", 43 base64 characters and "\n", then the payload.
  std::size_t payload1 = ct.size() - h1->mac_input.size() - 45;
  std::size_t payload2 = rewrapped.size() - h2->mac_input.size() - 45;
  ASSERT_EQ(payload1, payload2);
  EXPECT_TRUE(std::equal(ct.end() - static_cast<std::ptrdiff_t>(payload1), ct.end(),
                         rewrapped.end() - static_cast<std::ptrdiff_t>(payload2)));

  // The new identity alone cannot rewrap the original.
  SpanSource again(ct);
  Bytes ignored;
  VectorSink ignored_sink(ignored);
  auto denied = rewrap(new_ids, new_r, again, ignored_sink);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kNoMatch);
}

TEST(Age, RewrapRefusesScrypt) {
  ScryptRecipient s(secret("pw"), 10);
  const Recipient* rs[] = {&s};
  Bytes ct = encrypt_to(rs, testing::pattern(10));
  ScryptIdentity id(secret("pw"));
  const Identity* ids[] = {&id};
  X25519Recipient extra = X25519Identity::generate().recipient();
  SpanSource source(ct);
  Bytes out;
  VectorSink sink(out);
  EXPECT_FALSE(rewrap(ids, extra, source, sink));
}

}  // namespace
}  // namespace safehouse::age
