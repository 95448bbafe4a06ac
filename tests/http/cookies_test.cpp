// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/cookies_test.cpp: Cookie parsing and Set-Cookie building.
#include "http/cookies.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace safehouse::http {
namespace {

TEST(Cookies, ParsesPairsAndTrimsBlanks) {
  auto cookies = parse_cookies(" a=1;b = 2 ;  c=\"3\"; junk; =empty; d=");
  ASSERT_EQ(cookies.size(), 4u);
  EXPECT_EQ(cookies[0].first, "a");
  EXPECT_EQ(cookies[0].second, "1");
  EXPECT_EQ(cookies[1].first, "b");
  EXPECT_EQ(cookies[1].second, "2");
  EXPECT_EQ(cookies[2].second, "3");
  EXPECT_EQ(cookies[3].first, "d");
  EXPECT_EQ(cookies[3].second, "");
}

TEST(Cookies, FindsFirstOccurrence) {
  EXPECT_EQ(find_cookie("x=1; safehouse_session=abc; safehouse_session=def", "safehouse_session"),
            "abc");
  EXPECT_FALSE(find_cookie("x=1", "safehouse_session"));
  EXPECT_FALSE(find_cookie("", "x"));
}

TEST(Cookies, SetCookieHasTheAgreedAttributes) {
  EXPECT_EQ(set_cookie_value("safehouse_session", "00ff"),
            "safehouse_session=00ff; Path=/; HttpOnly; SameSite=Strict");
  std::string cleared = clear_cookie_value("safehouse_session");
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(cleared.find("Secure"), std::string::npos);
}

TEST(Cookies, SetCookieRefusesInjection) {
  EXPECT_THROW(set_cookie_value("a", "1; Domain=evil"), std::invalid_argument);
  EXPECT_THROW(set_cookie_value("a b", "1"), std::invalid_argument);
  EXPECT_THROW(set_cookie_value("a", "x\r\nSet-Cookie: y=1"), std::invalid_argument);
}

}  // namespace
}  // namespace safehouse::http
