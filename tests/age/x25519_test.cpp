// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/x25519_test.cpp: key strings (the spec's examples), key files,
// and the X25519 stanza's rejection rules.
#include "age/x25519.h"

#include <gtest/gtest.h>

#include "age/bech32.h"
#include "age/identity_file.h"
#include "age/primitives.h"
#include "test_util.h"

namespace safehouse::age {
namespace {

// The example pair from the age spec: secret 0x42 repeated.
constexpr std::string_view kSpecIdentity =
    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
constexpr std::string_view kSpecRecipient =
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

std::string text_of(const crypto::SecretBytes& s) {
  return std::string(s.reveal().begin(), s.reveal().end());
}

TEST(X25519, SpecExampleKeys) {
  auto id = X25519Identity::parse(kSpecIdentity);
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_EQ(id->recipient().to_string(), kSpecRecipient);
  EXPECT_EQ(text_of(id->to_string()), kSpecIdentity);
  auto r = X25519Recipient::parse(kSpecRecipient);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->public_key(), id->recipient().public_key());
  auto secret = crypto::SecretBytes::copy_of(Bytes(32, 0x42));
  EXPECT_EQ(X25519Identity::from_secret(std::move(secret)).recipient().to_string(), kSpecRecipient);
}

TEST(X25519, RejectsMalformedKeyStrings) {
  const std::string lower_id = [] {
    std::string s(kSpecIdentity);
    for (char& c : s) c = static_cast<char>(std::tolower(c));
    return s;
  }();
  EXPECT_FALSE(X25519Identity::parse(lower_id));  // age writes identities upper case
  EXPECT_FALSE(X25519Identity::parse(kSpecRecipient));
  EXPECT_FALSE(X25519Recipient::parse(kSpecIdentity));
  std::string bad(kSpecRecipient);
  bad.back() = 'q';
  EXPECT_FALSE(X25519Recipient::parse(bad));
  EXPECT_FALSE(X25519Recipient::parse(""));
  EXPECT_FALSE(X25519Recipient::parse(detail::bech32_encode("age", Bytes(31, 1))));
}

TEST(X25519, GeneratedIdentitiesRoundTrip) {
  X25519Identity id = X25519Identity::generate();
  auto again = X25519Identity::parse(text_of(id.to_string()));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recipient().to_string(), id.recipient().to_string());
}

TEST(X25519, StanzaRules) {
  X25519Identity id = X25519Identity::generate();
  auto key = crypto::SecretBytes::random(kFileKeyBytes);
  auto stanzas = id.recipient().wrap(key);
  ASSERT_TRUE(stanzas);
  ASSERT_EQ(stanzas->size(), 1u);
  auto unwrapped = id.unwrap(*stanzas);
  ASSERT_TRUE(unwrapped);
  EXPECT_TRUE(unwrapped->equals(key));

  Stanza s = (*stanzas)[0];
  auto with = [&](auto change) {
    std::vector<Stanza> v = {s};
    change(v[0]);
    return id.unwrap(v);
  };
  EXPECT_EQ(with([](Stanza& t) { t.type = "x25519"; }).error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(with([](Stanza& t) { t.body[0] ^= 1; }).error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(with([](Stanza& t) { t.args.push_back("x"); }).error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(with([](Stanza& t) { t.body.push_back(0); }).error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(
      with([](Stanza& t) { t.args[0] = detail::base64_encode_raw(Bytes(32, 0)); }).error().code(),
      ErrorCode::kMalformed);  // all-zero shared secret
  EXPECT_EQ(with([](Stanza& t) { t.args[0] += "A"; }).error().code(), ErrorCode::kMalformed);
  // Unknown stanza types (e.g. post-quantum ones) are skipped.
  std::vector<Stanza> mixed = {{"mlkem768x25519", {"abc"}, Bytes(32, 1)}, s};
  EXPECT_TRUE(id.unwrap(mixed));
}

TEST(IdentityFile, ParsesKeysCommentsAndBlankLines) {
  std::string text = "# created: today\n\n" + std::string(kSpecIdentity) + "\r\n# end\n";
  auto ids = parse_identity_file(text);
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_EQ(ids->size(), 1u);
  auto rs = parse_recipients_file("# team\n" + std::string(kSpecRecipient) + "\n\n" +
                                  X25519Identity::generate().recipient().to_string());
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->size(), 2u);
}

TEST(IdentityFile, ErrorsNameTheLineButNotItsContent) {
  std::string bad_key = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
  auto r = parse_identity_file("# c\n\n" + bad_key + "\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("line 3"), std::string::npos) << r.error().message();
  EXPECT_EQ(r.error().message().find("QQQQ"), std::string::npos);
  EXPECT_FALSE(parse_identity_file("# only comments\n"));
  EXPECT_FALSE(parse_identity_file(std::string(kSpecRecipient)));
  EXPECT_FALSE(parse_recipients_file(std::string(kSpecIdentity)));
  EXPECT_FALSE(parse_recipients_file(" " + std::string(kSpecRecipient)));
  EXPECT_FALSE(parse_recipients_file(""));
}

}  // namespace
}  // namespace safehouse::age
