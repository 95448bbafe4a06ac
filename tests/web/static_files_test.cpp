// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web/static_files_test.cpp: the stylesheet and fonts are embedded with
// the right media types, unknown names are absent, and the stylesheet loads
// nothing from outside /static/.
#include "web/static_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <string>

namespace safehouse::web {
namespace {

TEST(StaticFiles, StylesheetIsCss) {
  const auto css = find_static("safehouse.css");
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_NE(css->bytes.find("@font-face"), std::string_view::npos);
  EXPECT_NE(css->bytes.find("margin-inline"), std::string_view::npos) << "RTL-aware";
}

TEST(StaticFiles, FontsAreTheDebianTrueTypeFiles) {
  for (std::string_view name : {"NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf"}) {
    const auto font = find_static(name);
    ASSERT_TRUE(font.has_value()) << name;
    EXPECT_EQ(font->content_type, "font/ttf");
    ASSERT_GT(font->bytes.size(), 10000u);
    EXPECT_EQ(font->bytes.substr(0, 4), std::string_view("\x00\x01\x00\x00", 4));
    std::ifstream system("/usr/share/fonts/truetype/noto/" + std::string(name), std::ios::binary);
    if (system) {
      const std::string original((std::istreambuf_iterator<char>(system)), {});
      EXPECT_EQ(font->bytes, original) << name;
    }
  }
}

TEST(StaticFiles, FontLicenceTravelsWithTheFonts) {
  const auto licence = find_static("fonts-LICENSE.txt");
  ASSERT_TRUE(licence.has_value());
  EXPECT_EQ(licence->content_type, "text/plain; charset=utf-8");
  EXPECT_NE(licence->bytes.find("SIL Open Font License"), std::string_view::npos);
}

// The browser client's bundle (web/, built by esbuild at build time): one
// self-contained script that defines SafehouseClient and loads nothing.
TEST(StaticFiles, BrowserBundleIsOneSelfContainedScript) {
  const auto bundle = find_static("source.js");
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->content_type, "text/javascript; charset=utf-8");
  EXPECT_GT(bundle->bytes.size(), 100000u);
  EXPECT_NE(bundle->bytes.find("SafehouseClient"), std::string_view::npos);
  EXPECT_EQ(bundle->bytes.find("import("), std::string_view::npos);
  EXPECT_EQ(bundle->bytes.find("require("), std::string_view::npos);
}

TEST(StaticFiles, UnknownAndPathLikeNamesAreAbsent) {
  for (std::string_view name : {"", "nope.css", "../safehouse.css", "/safehouse.css",
                                "safehouse.css/", "SAFEHOUSE.CSS", "static/safehouse.css"}) {
    EXPECT_FALSE(find_static(name).has_value()) << name;
  }
}

TEST(StaticFiles, StylesheetReferencesOnlyEmbeddedStaticUrls) {
  const std::string css(find_static("safehouse.css")->bytes);
  EXPECT_EQ(css.find("http:"), std::string::npos);
  EXPECT_EQ(css.find("https:"), std::string::npos);
  EXPECT_EQ(css.find("@import"), std::string::npos);
  const std::regex url(R"re(url\(\s*['"]?([^'")\s]+))re");
  int count = 0;
  for (auto it = std::sregex_iterator(css.begin(), css.end(), url); it != std::sregex_iterator();
       ++it, ++count) {
    const std::string target = (*it)[1].str();
    ASSERT_EQ(target.rfind("/static/", 0), 0u) << target;
    EXPECT_TRUE(find_static(target.substr(8)).has_value()) << target;
  }
  EXPECT_EQ(count, 2);
}

}  // namespace
}  // namespace safehouse::web
