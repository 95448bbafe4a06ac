// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/form_test.cpp: urlencoded forms and the UTF-8 check.
#include "http/form.h"

#include <gtest/gtest.h>

namespace safehouse::http {
namespace {

TEST(Form, DecodesPlusAndPercent) {
  auto form = Form::parse("csrf=ab12&codename=river+stone%20moon&empty=&flag");
  ASSERT_TRUE(form) << form.error().message();
  EXPECT_EQ(form->get("csrf"), "ab12");
  EXPECT_EQ(form->get("codename"), "river stone moon");
  EXPECT_EQ(form->get("empty"), "");
  EXPECT_EQ(form->get("flag"), "");
  EXPECT_FALSE(form->get("missing"));
  EXPECT_EQ(form->fields().size(), 4u);
}

TEST(Form, KeepsOrderAndRepeats) {
  auto form = Form::parse("a=1&b=2&a=3");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->fields().size(), 3u);
  EXPECT_EQ(form->fields()[2].second, "3");
  EXPECT_EQ(form->get("a"), "1");
}

TEST(Form, DecodesUtf8) {
  auto form = Form::parse("m=%D8%B3%D9%84%D8%A7%D9%85");  // Persian "salaam"
  ASSERT_TRUE(form);
  EXPECT_EQ(form->get("m"), "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85");
}

TEST(Form, EmptyIsEmpty) {
  auto form = Form::parse("");
  ASSERT_TRUE(form);
  EXPECT_TRUE(form->fields().empty());
}

TEST(Form, RejectsBadPercentEncoding) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=1&%G0=2"}) {
    auto form = Form::parse(bad);
    ASSERT_FALSE(form) << bad;
    EXPECT_EQ(form.error().code(), ErrorCode::kMalformed);
  }
}

TEST(Form, RejectsInvalidUtf8) {
  for (const char* bad : {"a=%FF", "a=%C0%AF", "a=%ED%A0%80", "%80=1", "a=%E2%82"}) {
    auto form = Form::parse(bad);
    ASSERT_FALSE(form) << bad;
    EXPECT_EQ(form.error().code(), ErrorCode::kMalformed);
    EXPECT_NE(form.error().message().find("utf-8"), std::string::npos);
  }
}

TEST(Form, RejectsTooManyFields) {
  std::string many;
  for (std::size_t i = 0; i <= kMaxFormFields; ++i) many += "f=1&";
  auto form = Form::parse(many);
  ASSERT_FALSE(form);
  EXPECT_EQ(form.error().code(), ErrorCode::kTooLarge);
}

TEST(Utf8, AcceptsAndRejects) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xBF"));              // lone continuation
}

}  // namespace
}  // namespace safehouse::http
