// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/secret_sink_test.cpp: SecretSink keeps what is written, in
// order, and refuses to grow past its limit.
#include "crypto/secret_sink.h"

#include <gtest/gtest.h>

#include <string>

namespace safehouse::crypto {
namespace {

ByteSpan span_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

TEST(SecretSink, KeepsWritesInOrder) {
  SecretSink sink(16, "test secret");
  ASSERT_TRUE(sink.write(span_of("AGE-")));
  ASSERT_TRUE(sink.write(span_of("SECRET")));
  ASSERT_TRUE(sink.finish());
  EXPECT_EQ(sink.text(), "AGE-SECRET");
  EXPECT_EQ(sink.size(), 10u);
}

TEST(SecretSink, FillsExactlyToTheLimit) {
  SecretSink sink(4, "test secret");
  ASSERT_TRUE(sink.write(span_of("abcd")));
  EXPECT_EQ(sink.text(), "abcd");
}

TEST(SecretSink, RefusesMoreThanTheLimitAndKeepsWhatItHad) {
  SecretSink sink(4, "log key");
  ASSERT_TRUE(sink.write(span_of("abc")));
  auto more = sink.write(span_of("de"));
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().code(), ErrorCode::kTooLarge);
  EXPECT_NE(more.error().message().find("log key"), std::string::npos);
  EXPECT_EQ(sink.text(), "abc");
}

}  // namespace
}  // namespace safehouse::crypto
