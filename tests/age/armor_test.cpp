// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/armor_test.cpp: armor writer/reader round trips at line
// boundaries, and the strict reader's rejection of malformed armor.
#include "age/armor.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace safehouse::age {
namespace {

std::string armor(ByteSpan data) {
  Bytes out;
  testing::CountingSink sink(out);
  auto w = armor_writer(sink);
  EXPECT_TRUE(w->write(data));
  EXPECT_TRUE(w->finish());
  EXPECT_EQ(sink.finishes, 1);
  return std::string(out.begin(), out.end());
}

Result<Bytes> dearmor(std::string_view text, std::size_t piece = 1 << 20) {
  testing::PieceSource source(as_bytes(text), piece);
  ArmorReader reader(source);
  Bytes out;
  std::array<std::uint8_t, 100> buf{};
  for (;;) {
    std::size_t n = SAFEHOUSE_TRY(reader.read(buf));
    if (n == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

TEST(Armor, RoundTripsAtLineBoundaries) {
  for (std::size_t size : {0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1000, 70000}) {
    Bytes data = testing::pattern(size);
    std::string text = armor(data);
    EXPECT_TRUE(text.starts_with(std::string(kArmorBegin) + "\n"));
    EXPECT_TRUE(text.ends_with(std::string(kArmorEnd) + "\n"));
    for (std::size_t piece : {std::size_t{1}, std::size_t{5}, std::size_t{1} << 20}) {
      auto r = dearmor(text, piece);
      ASSERT_TRUE(r) << size << ": " << r.error().message();
      EXPECT_EQ(*r, data) << size;
    }
  }
}

TEST(Armor, WritesIn64ColumnLines) {
  std::string text = armor(testing::pattern(100));
  EXPECT_EQ(text, std::string(kArmorBegin) + "\n" + text.substr(35, 64) + "\n" +
                      text.substr(100, 64) + "\n" + text.substr(165, 8) + "\n" +
                      std::string(kArmorEnd) + "\n");
  EXPECT_EQ(text.substr(165, 8).back(), '=');
}

TEST(Armor, SmallWritesMatchOneBigWrite) {
  Bytes data = testing::pattern(500);
  Bytes out;
  VectorSink sink(out);
  auto w = armor_writer(sink);
  for (std::uint8_t b : data) ASSERT_TRUE(w->write(ByteSpan(&b, 1)));
  ASSERT_TRUE(w->finish());
  EXPECT_EQ(std::string(out.begin(), out.end()), armor(data));
}

TEST(Armor, AcceptsCrlfAndOuterWhitespace) {
  std::string text = armor(testing::pattern(100));
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_TRUE(dearmor(crlf));
  EXPECT_TRUE(dearmor(" \t\r\n\n" + text + "\n  \r\n"));
  EXPECT_TRUE(dearmor(text.substr(0, text.size() - 1)));  // no final newline
}

TEST(Armor, RejectsMalformedArmor) {
  const std::string text = armor(testing::pattern(100));
  const std::string begin = std::string(kArmorBegin) + "\n";
  const std::string end = std::string(kArmorEnd) + "\n";
  const std::string l1 = text.substr(35, 65), l2 = text.substr(100, 65), last = text.substr(165, 9);
  const std::string bad[] = {
      "",
      "x" + text,
      " " + text,
      text + "x",
      text + std::string(2000, ' '),
      std::string(2000, '\n') + text,
      begin + l1 + l2 + last,                                 // no END
      begin + "Key: value\n\n" + l1 + l2 + last + end,        // PEM headers
      begin + "\n" + l1 + l2 + last + end,                    // empty line first
      begin + l1 + l2 + last + "\n" + end,                    // empty line last
      begin + l1 + "\n" + l2 + last + end,                    // empty line inside
      begin + l1 + l2.substr(0, 60) + "\n" + last + end,      // short line inside
      begin + l1.substr(0, 64) + "AAAA\n" + l2 + last + end,  // long line
      begin + " " + l1 + l2 + last + end,
      begin + l1.substr(0, 64) + " \n" + l2 + last + end,
      begin + l1 + l2 + last.substr(0, 7) + "\n" + end,    // missing padding
      begin + l1 + l2 + last.substr(0, 6) + "B=\n" + end,  // non-canonical
      begin + l1 + l2 + last + "=abcd\n" + end,            // PGP checksum
      begin + l1 + l2 + last + " " + end,
      begin + l1 + l2 + last + "-----END AGE ENCRYPTED FILE----- \n",
      "-----BEGIN AGE ENCRYPTED FILEX-----\n" + l1 + l2 + last + end,
      "-----begin age encrypted file-----\n" + l1 + l2 + last + end,
      begin + l1 + l2 + last.substr(0, 4) + "\n" + last.substr(4) + end,    // EOL in padding
      begin + l1.substr(0, 10) + "\xed" + l1.substr(11) + l2 + last + end,  // high byte
  };
  for (const auto& t : bad) {
    auto r = dearmor(t);
    ASSERT_FALSE(r) << t;
    EXPECT_TRUE(r.error().message().starts_with("armor: ")) << r.error().message();
  }
}

TEST(Armor, PaddingOnlyOnTheLastLine) {
  // A full line with padding must be the last one.
  std::string pad_line = std::string(60, 'A') + "AA==";
  std::string t =
      std::string(kArmorBegin) + "\n" + pad_line + "\nAAAA\n" + std::string(kArmorEnd) + "\n";
  EXPECT_FALSE(dearmor(t));
}

TEST(Armor, LooksArmored) {
  EXPECT_TRUE(looks_armored(as_bytes(armor(Bytes{}))));
  EXPECT_TRUE(looks_armored(as_bytes("\n  " + std::string(kArmorBegin))));
  EXPECT_FALSE(looks_armored(as_bytes("age-encryption.org/v1\n")));
}

}  // namespace
}  // namespace safehouse::age
