// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/format_test.cpp: the header writer and the strict header parser,
// including malformed inputs, size limits and split reads.
#include "age/format.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace safehouse::age::detail {
namespace {

const std::string kMac = "--- " + std::string(43, 'A') + "\n";

std::string header(const std::string& stanzas) {
  return "age-encryption.org/v1\n" + stanzas + kMac;
}

Result<ParsedHeader> parse(const std::string& text) {
  return parse_header(as_bytes(text));
}

TEST(Format, ParsesAMinimalHeader) {
  auto r = parse(header("-> X25519 abc\nAAAA\n") + "rest");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->header.stanzas.size(), 1u);
  EXPECT_EQ(r->header.stanzas[0].type, "X25519");
  EXPECT_EQ(r->header.stanzas[0].args, std::vector<std::string>{"abc"});
  EXPECT_EQ(r->header.stanzas[0].body, Bytes(3, 0));
  EXPECT_EQ(r->header.mac, Bytes(32, 0));
  EXPECT_EQ(r->mac_input, "age-encryption.org/v1\n-> X25519 abc\nAAAA\n---");
  EXPECT_EQ(std::string(r->rest.begin(), r->rest.end()), "rest");
}

TEST(Format, WriterAndParserRoundTrip) {
  for (std::size_t body_size : {0, 1, 47, 48, 49, 96, 100}) {
    std::vector<Stanza> stanzas = {{"X25519", {"a", "b"}, testing::pattern(body_size)},
                                   {"other", {}, {}}};
    std::string mac_input = header_mac_input(stanzas);
    std::string text = header_with_mac(mac_input, Bytes(32, 7));
    testing::PieceSource source(as_bytes(text), 7);
    auto r = read_header(source);
    ASSERT_TRUE(r) << body_size << ": " << r.error().message();
    EXPECT_EQ(r->mac_input, mac_input);
    ASSERT_EQ(r->header.stanzas.size(), 2u);
    EXPECT_EQ(r->header.stanzas[0].body, stanzas[0].body);
    EXPECT_EQ(r->header.stanzas[0].args, stanzas[0].args);
    EXPECT_EQ(r->header.mac, Bytes(32, 7));
    EXPECT_TRUE(r->rest.empty());
  }
}

TEST(Format, BodyOf48BytesEndsWithAnEmptyLine) {
  std::vector<Stanza> stanzas = {{"t", {}, Bytes(48, 0)}};
  std::string text = header_mac_input(stanzas);
  EXPECT_EQ(text, "age-encryption.org/v1\n-> t\n" + std::string(64, 'A') + "\n\n---");
}

TEST(Format, RejectsMalformedHeaders) {
  const std::string full(64, 'A');
  const std::string bad[] = {
      "",
      "age-encryption.org/v1",
      "age-encryption.org/v2\n-> a\n\n" + kMac,
      "age-encryption.org/v1\r\n-> a\n\n" + kMac,
      header(""),              // no stanza
      header("-> a\n"),        // missing body line
      header("->\n\n"),        // no type
      header("-> \n\n"),       // empty type
      header("-> a  b\n\n"),   // empty argument
      header("-> a b \n\n"),   // trailing space
      header("-> a\xff\n\n"),  // non-VCHAR
      header("-> a\nAAA=\n"),  // padding
      header("-> a\nAB\n"),    // non-canonical
      header("-> a\nAA*A\n"),  // bad character
      header("-> a\nAA\xed"
             "A\n"),                            // a high byte: libsodium 1.0.18 decodes it
      header("-> a\n" + full + "A\n"),          // long line
      header("-> a\n" + full + "\n"),           // missing final line
      header("-> a\nAA\nAA\n"),                 // two short lines
      header("-> a\nAAAA\r\n"),                 // CR
      header("-> a\n\nfoo\n"),                  // unknown line
      "age-encryption.org/v1\n-> a\n\n---\n",   // no MAC
      "age-encryption.org/v1\n-> a\n\n--- \n",  // empty MAC
      "age-encryption.org/v1\n-> a\n\n---" + std::string(43, 'A') + "\n",  // no space
      "age-encryption.org/v1\n-> a\n\n---  " + std::string(43, 'A') + "\n",
      "age-encryption.org/v1\n-> a\n\n--- " + std::string(43, 'A') + " \n",
      "age-encryption.org/v1\n-> a\n\n--- " + std::string(42, 'A') + "\n",
      "age-encryption.org/v1\n-> a\n\n--- " + std::string(42, 'A') + "B\n",  // non-canonical
      "age-encryption.org/v1\n-> a\n\n--- " + std::string(43, 'A'),          // no newline
  };
  for (const auto& text : bad) {
    auto r = parse(text);
    ASSERT_FALSE(r) << testing::to_hex(as_bytes(text));
    EXPECT_TRUE(r.error().message().starts_with("header: ")) << r.error().message();
  }
}

TEST(Format, UnsupportedVersionHasItsOwnCode) {
  auto r = parse("age-encryption.org/v2\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnsupported);
}

TEST(Format, EnforcesTheHeaderSizeLimit) {
  std::string huge = "age-encryption.org/v1\n-> a\n";
  while (huge.size() <= kMaxHeaderBytes) huge += std::string(64, 'A') + "\n";
  auto r = parse(huge);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kTooLarge);
  std::string long_line = "age-encryption.org/v1\n-> " + std::string(kMaxHeaderBytes, 'a');
  r = parse(long_line);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kTooLarge);
}

TEST(Format, EnforcesTheArgumentLimit) {
  std::string args;
  for (std::size_t i = 0; i <= kMaxStanzaArgs; ++i) args += " x";
  EXPECT_FALSE(parse(header("-> a" + args + "\n\n")));
  EXPECT_TRUE(parse(header("-> a x y z\n\n")));
}

TEST(Format, AcceptsAllVisibleCharactersInArguments) {
  std::string arg;
  for (char c = 33; c <= 126; ++c) arg.push_back(c);
  auto r = parse(header("-> " + arg + " " + arg + "\n\n"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->header.stanzas[0].type, arg);
}

}  // namespace
}  // namespace safehouse::age::detail
