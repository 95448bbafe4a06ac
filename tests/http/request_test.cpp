// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/request_test.cpp: request-target validation and accessors.
#include "http/request.h"

#include <gtest/gtest.h>

namespace safehouse::http {
namespace {

TEST(Request, DecodesPathAndQuery) {
  HeaderMap headers{{"cookie", "a=1; safehouse_session=tok"}, {"content-type", "text/plain"}};
  auto request = Request::create(Method::kGet, "/fa/%D9%85?sent=1&x=a+b", headers);
  ASSERT_TRUE(request) << request.error().message();
  EXPECT_EQ(request->path(), "/fa/\xD9\x85");
  EXPECT_EQ(request->raw_query(), "sent=1&x=a+b");
  EXPECT_EQ(request->query("sent"), "1");
  EXPECT_EQ(request->query("x"), "a b");
  EXPECT_FALSE(request->query("y"));
  EXPECT_EQ(request->cookie("safehouse_session"), "tok");
  EXPECT_EQ(request->header("content-type"), "text/plain");
  EXPECT_FALSE(request->header("accept"));
}

TEST(Request, RejectsUnsafePaths) {
  for (const char* bad : {"/a/../b", "/..", "/a/./b", "/a/%2e%2e/b", "/a%2Fb", "/a%5cb", "/a\\b",
                          "/a%00b", "/a%0Ab", "relative", "/%FF", "http://x/"}) {
    auto request = Request::create(Method::kGet, bad);
    ASSERT_FALSE(request) << bad;
    EXPECT_EQ(request.error().code(), ErrorCode::kMalformed) << bad;
  }
}

TEST(Request, RejectsBadQuery) {
  auto request = Request::create(Method::kGet, "/x?a=%zz");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code(), ErrorCode::kMalformed);
}

TEST(Request, PathParams) {
  auto request = Request::create(Method::kPost, "/en/login");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->path_param("lang"), "");
  request->set_path_param("lang", "en");
  EXPECT_EQ(request->path_param("lang"), "en");
}

}  // namespace
}  // namespace safehouse::http
