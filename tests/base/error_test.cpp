// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/base/error_test.cpp: Error values, context and the TRY macros.
#include "base/error.h"

#include <gtest/gtest.h>

namespace safehouse {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return malformed("not a digit");
  return c - '0';
}

Result<int> parse_two(char a, char b) {
  int x = SAFEHOUSE_TRY(parse_digit(a));
  int y = SAFEHOUSE_TRY(parse_digit(b));
  return x * 10 + y;
}

TEST(Error, ContextIsPrefixedOnce) {
  Error e = malformed("body is not canonical base64").with_context("stanza 2");
  EXPECT_EQ(e.message(), "stanza 2: body is not canonical base64");
  EXPECT_EQ(e.code(), ErrorCode::kMalformed);
}

TEST(Error, TryPropagatesTheFirstError) {
  EXPECT_EQ(*parse_two('4', '2'), 42);
  auto bad = parse_two('4', 'x');
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "not a digit");
}

TEST(Error, ValueOnErrorIsABug) {
  auto bad = parse_digit('x');
  EXPECT_THROW((void)bad.value(), std::logic_error);
}

TEST(Error, CodesHaveNames) {
  EXPECT_EQ(error_code_name(ErrorCode::kNoMatch), "no match");
  EXPECT_EQ(error_code_name(ErrorCode::kIo), "i/o");
  EXPECT_EQ(error_code_name(ErrorCode::kOutcomeUnknown), "outcome unknown");
}

}  // namespace
}  // namespace safehouse
