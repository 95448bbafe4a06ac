// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/file_names_test.cpp: hostile file names become one safe
// component; terminal text loses escape sequences and bidi overrides but
// keeps Persian (with ZWNJ), newlines and tabs.
#include "review/file_names.h"

#include <gtest/gtest.h>

namespace safehouse::review {
namespace {

TEST(SanitizeFileNameTest, KeepsOrdinaryNames) {
  EXPECT_EQ(sanitize_file_name("report.pdf"), "report.pdf");
  EXPECT_EQ(sanitize_file_name("گزارش\u200cها.pdf"), "گزارش\u200cها.pdf");
  EXPECT_EQ(sanitize_file_name("my file (1).txt"), "my file (1).txt");
}

TEST(SanitizeFileNameTest, TakesTheLastComponent) {
  EXPECT_EQ(sanitize_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitize_file_name("/etc/shadow"), "shadow");
  EXPECT_EQ(sanitize_file_name("C:\\Users\\x\\evil.exe"), "evil.exe");
  EXPECT_EQ(sanitize_file_name("dir/"), "file");
}

TEST(SanitizeFileNameTest, NeverEmptyOrDots) {
  for (const char* name : {"", ".", "..", "...", " . ", "/", "\\", "../..", "a/.."}) {
    EXPECT_EQ(sanitize_file_name(name), "file") << name;
  }
  EXPECT_EQ(sanitize_file_name(".bashrc"), "bashrc");
  EXPECT_EQ(sanitize_file_name("name. "), "name");
}

TEST(SanitizeFileNameTest, ReplacesControlsReservedAndBidi) {
  EXPECT_EQ(sanitize_file_name(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(sanitize_file_name("a\nb\x1b[31mc"), "a_b_[31mc");
  EXPECT_EQ(sanitize_file_name("a<b>c:d\"e|f?g*h"), "a_b_c_d_e_f_g_h");
  EXPECT_EQ(sanitize_file_name("photo\u202Egpj.exe"), "photo_gpj.exe");
  EXPECT_EQ(sanitize_file_name("a\u2066b\u200bc"), "a_b_c");
  EXPECT_EQ(sanitize_file_name("bad\xff\xfe.txt"), "bad__.txt");
  EXPECT_EQ(sanitize_file_name("\xc0\xaf.txt"), "__.txt");  // overlong '/'
}

TEST(SanitizeFileNameTest, BoundsLengthAtACharacterBoundary) {
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "ب";  // 2 bytes each
  const std::string cut = sanitize_file_name(long_name);
  EXPECT_LE(cut.size(), kMaxSanitizedNameBytes);
  EXPECT_GE(cut.size(), kMaxSanitizedNameBytes - 1);
  EXPECT_TRUE(is_valid_utf8(cut));
  // Replacements count too (found by fuzzing: 150+ invalid bytes).
  EXPECT_EQ(sanitize_file_name(std::string(400, '\xff')), std::string(kMaxSanitizedNameBytes, '_'));
  EXPECT_EQ(sanitize_file_name(std::string(400, '*')).size(), kMaxSanitizedNameBytes);
}

TEST(PrintableTextTest, NeutralisesTerminalControl) {
  EXPECT_EQ(printable_text("line 1\n\tline 2"), "line 1\n\tline 2");
  EXPECT_EQ(printable_text("a\x1b]0;title\x07z"), "a\uFFFD]0;title\uFFFDz");
  EXPECT_EQ(printable_text("a\rb"), "a\uFFFDb");
  EXPECT_EQ(printable_text("x\u202Ey"), "x\uFFFDy");
  EXPECT_EQ(printable_text("\xc2\x9b"), "\uFFFD");  // C1 CSI
  EXPECT_EQ(printable_text("ok\xff"), "ok\uFFFD");
  EXPECT_EQ(printable_text("سلام\u200cدنیا"), "سلام\u200cدنیا");
}

TEST(Utf8Test, Validates) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("héllo سلام 😀"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
}

}  // namespace
}  // namespace safehouse::review
