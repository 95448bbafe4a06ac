// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web/catalog_test.cpp: the embedded gettext catalogs load, translate,
// fall back to the English msgid, and cover every string the templates use.
#include "web/catalog.h"

#include <gtest/gtest.h>

#include "template_msgids.h"

namespace safehouse::web {
namespace {

const Catalog& catalog() {
  static const Catalog loaded = Catalog::load_embedded().value();
  return loaded;
}

TEST(Catalog, TranslatesKnownPersianStrings) {
  EXPECT_EQ(catalog().translate(Language::kPersian, "First contact"), "نخستین تماس");
  EXPECT_EQ(catalog().translate(Language::kPersian, "That codename was not recognised"),
            "این نام رمز شناخته نشد");
  EXPECT_TRUE(catalog().has_translation(Language::kPersian, "Send"));
}

TEST(Catalog, EnglishIsTheMsgid) {
  EXPECT_EQ(catalog().translate(Language::kEnglish, "First contact"), "First contact");
  EXPECT_TRUE(catalog().has_translation(Language::kEnglish, "First contact"));
}

TEST(Catalog, UnknownMsgidFallsBackToItself) {
  EXPECT_EQ(catalog().translate(Language::kPersian, "no such message"), "no such message");
  EXPECT_FALSE(catalog().has_translation(Language::kPersian, "no such message"));
  EXPECT_FALSE(catalog().has_translation(Language::kPersian, ""));
  // The empty msgid is the .po header in gettext; it must never leak.
  EXPECT_EQ(catalog().translate(Language::kPersian, ""), "");
}

TEST(Catalog, PluralFallsBackToEnglishForms) {
  EXPECT_EQ(catalog().translate_plural(Language::kPersian, "%1 file", "%1 files", 1), "%1 file");
  EXPECT_EQ(catalog().translate_plural(Language::kEnglish, "%1 file", "%1 files", 3), "%1 files");
}

TEST(Catalog, EveryTemplateStringHasAPersianTranslation) {
  const auto ids = testing::template_msgids();
  ASSERT_GT(ids.size(), 40u);
  for (const std::string& id : ids) {
    ASSERT_FALSE(id.empty()) << "an empty or unterminated {{#t}} section";
    EXPECT_EQ(id.find("{{"), std::string::npos) << "a tag inside {{#t}}: " << id;
    EXPECT_TRUE(catalog().has_translation(Language::kPersian, id)) << "untranslated: " << id;
    EXPECT_TRUE(catalog().has_translation(Language::kEnglish, id)) << "missing in en: " << id;
    // A Persian translation that equals the English text is a copy, not a
    // translation (all our strings are prose).
    EXPECT_NE(catalog().translate(Language::kPersian, id), id) << id;
  }
}

}  // namespace
}  // namespace safehouse::web
