// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/tus_headers_test.cpp: the tus header parsers accept exactly
// what tus 1.0.0 allows and name the header in every refusal.
#include "http/tus_headers.h"

#include <gtest/gtest.h>

namespace safehouse::http::tus {
namespace {

TEST(TusHeaders, Integers) {
  EXPECT_EQ(parse_integer("Upload-Offset", "0").value(), 0U);
  EXPECT_EQ(parse_integer("Upload-Offset", "0042").value(), 42U);
  EXPECT_EQ(parse_integer("Upload-Length", "9223372036854775807").value(), kMaxInteger);
  for (const char* bad :
       {"", "-1", "+1", " 1", "1 ", "1.0", "0x10", "1e3", "９", "9223372036854775808",
        "18446744073709551616", "99999999999999999999999999"}) {
    auto parsed = parse_integer("Upload-Offset", bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
    EXPECT_TRUE(parsed.error().message().starts_with("Upload-Offset: ")) << bad;
  }
}

TEST(TusHeaders, Metadata) {
  auto pairs =
      parse_metadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential").value();
  ASSERT_EQ(pairs.size(), 2U);
  EXPECT_EQ(pairs[0].first, "filename");
  EXPECT_EQ(pairs[0].second, "world_domination_plan.pdf");
  EXPECT_EQ(pairs[1].first, "is_confidential");
  EXPECT_EQ(pairs[1].second, "");
  EXPECT_TRUE(parse_metadata("").value().empty());
  EXPECT_EQ(parse_metadata("a YQ==, b Yg==").value().size(), 2U);
  for (const char* bad : {"a !!!!", "a YQ", "a YR==", "a Y===", "a YQ==,a Yg==", ",", "a YQ==,",
                          "a  YQ==", "\x01 YQ==", "a YQ==YQ==", "a =YQ="}) {
    auto parsed = parse_metadata(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << bad;
  }
  EXPECT_FALSE(parse_metadata(std::string(kMaxMetadataBytes + 1, 'a')));
}

TEST(TusHeaders, Checksums) {
  // SHA-1 and SHA-256 of "" (base64).
  auto sha1 = parse_checksum("sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=").value();
  EXPECT_EQ(sha1.algorithm, ChecksumAlgorithm::kSha1);
  EXPECT_EQ(sha1.digest.size(), 20U);
  auto sha256 = parse_checksum("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").value();
  EXPECT_EQ(sha256.algorithm, ChecksumAlgorithm::kSha256);
  EXPECT_EQ(sha256.digest.size(), 32U);
  EXPECT_EQ(parse_checksum("md5 1B2M2Y8AsgTpgAmY7PhCfg==").error().code(), ErrorCode::kUnsupported);
  for (const char* bad : {"sha1", "sha1 ", "sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk", "sha256 AAAA",
                          "sha1  2jmj7l5rSw0yVb/vlWAYkK/YBwk="}) {
    auto parsed = parse_checksum(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << bad;
  }
}

TEST(TusHeaders, Base64RoundTrip) {
  std::string decoded;
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes data(n);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + n);
    ASSERT_TRUE(base64_decode(base64_encode(data), decoded)) << n;
    EXPECT_EQ(Bytes(decoded.begin(), decoded.end()), data);
  }
}

}  // namespace
}  // namespace safehouse::http::tus
