// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/visitor_tokens_test.cpp: a sealed visitor cookie opens to what
// was sealed, only in the process (the keys) that sealed it; any change, a
// truncation, non-hex or an oversized value is refused; the CSRF token
// depends on the id, the context and the process, and nothing else.
#include "http/visitor_tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace safehouse::http {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

TEST(VisitorTokens, OpensWhatItSealed) {
  VisitorTokens tokens;
  const VisitorId id = VisitorTokens::new_id();
  const auto payload = bytes("pending first contact");
  const std::string cookie = tokens.seal(id, payload);
  EXPECT_EQ(cookie.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(cookie.find("70656e64"), std::string::npos);  // "pend" in hex: not in clear
  auto opened = tokens.open(cookie);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->id, id);
  EXPECT_EQ(
      std::vector<std::uint8_t>(opened->payload.reveal().begin(), opened->payload.reveal().end()),
      payload);
  auto empty = tokens.open(tokens.seal(id, {}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->payload.empty());
  // Two seals of the same thing differ (random nonce): a cookie says nothing
  // about whether two visitors hold the same payload.
  EXPECT_NE(tokens.seal(id, payload), cookie);
}

TEST(VisitorTokens, CarriesAFailureCount) {
  VisitorTokens tokens;
  const VisitorId id = VisitorTokens::new_id();
  EXPECT_EQ(tokens.open(tokens.seal(id, {}))->sign_in_failures, 0U);
  auto opened = tokens.open(tokens.seal(id, bytes("p"), 3));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->sign_in_failures, 3U);
  EXPECT_EQ(opened->payload.size(), 1U);
  EXPECT_EQ(tokens.open(tokens.seal(id, {}, 100000))->sign_in_failures, 255U);
}

TEST(VisitorTokens, RefusesAnythingElse) {
  VisitorTokens tokens;
  const std::string cookie = tokens.seal(VisitorTokens::new_id(), bytes("x"));
  for (std::size_t i = 0; i < cookie.size(); i += 7) {
    std::string altered = cookie;
    altered[i] = altered[i] == '0' ? '1' : '0';
    EXPECT_FALSE(tokens.open(altered)) << i;
  }
  EXPECT_FALSE(tokens.open(cookie.substr(0, cookie.size() - 2)));
  EXPECT_FALSE(tokens.open(cookie.substr(0, cookie.size() - 1)));
  EXPECT_FALSE(tokens.open(cookie + "00"));
  EXPECT_FALSE(tokens.open(""));
  EXPECT_FALSE(tokens.open(std::string(cookie.size(), 'z')));
  EXPECT_FALSE(tokens.open(std::string(64, 'a')));  // a session token
  EXPECT_FALSE(tokens.open(std::string(VisitorTokens::kMaxCookieChars + 2, '0')));
  // Another process (a restart) has other keys.
  VisitorTokens restarted;
  EXPECT_FALSE(restarted.open(cookie));
}

// Keys derived from a secret the server keeps (serve: the log key) survive
// a restart; another secret's do not open them.
TEST(VisitorTokens, TheSameSecretGivesTheSameKeys) {
  const auto secret = bytes("a secret the server keeps anyway");
  VisitorTokens before(secret);
  VisitorTokens after(secret);
  VisitorTokens other(bytes("another secret"));
  const VisitorId id = VisitorTokens::new_id();
  const std::string cookie = before.seal(id, bytes("pending"));
  auto opened = after.open(cookie);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->id, id);
  EXPECT_EQ(after.csrf_for(id), before.csrf_for(id));
  EXPECT_FALSE(other.open(cookie));
  EXPECT_NE(other.csrf_for(id), before.csrf_for(id));
  EXPECT_FALSE(VisitorTokens().open(cookie));
}

TEST(VisitorTokens, CsrfDependsOnIdContextAndProcess) {
  VisitorTokens tokens;
  const VisitorId a = VisitorTokens::new_id();
  const VisitorId b = VisitorTokens::new_id();
  const auto context = bytes("codename one");
  const std::string token = tokens.csrf_for(a, context);
  EXPECT_EQ(token.size(), 64U);
  EXPECT_EQ(tokens.csrf_for(a, context), token);
  EXPECT_NE(tokens.csrf_for(b, context), token);
  EXPECT_NE(tokens.csrf_for(a, bytes("codename two")), token);
  EXPECT_NE(tokens.csrf_for(a), token);
  EXPECT_NE(VisitorTokens().csrf_for(a, context), token);
}

}  // namespace
}  // namespace safehouse::http
