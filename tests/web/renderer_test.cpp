// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web/renderer_test.cpp: every page renders in English and Persian with
// the right lang/dir, Persian digits and translations; user data is escaped;
// forms carry exactly the fields docs/routes.md names; nothing is loaded
// from outside /static/ and no page has script.
#include "web/renderer.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace safehouse::web {
namespace {

const Renderer& renderer() {
  static const Renderer loaded =
      Renderer::create(SiteInfo{.organisation_name = "Example <Org> & Co"}).value();
  return loaded;
}

// Replies and codenames go in as secrets, as the routes put them.
PageData inbox_data(bool as_secret = true) {
  auto text = [as_secret](PageData item, std::string value) {
    return as_secret ? std::move(item.set_secret("text", value))
                     : std::move(item.set_text("text", value));
  };
  std::vector<PageData> replies;
  replies.push_back(text(PageData().set_localized("day", "2026-11-25"),
                         "Hello <script>alert(1)</script> & \"bye\" 'q'"));
  replies.push_back(text(PageData().set_localized("day", "2026-11-26"), "second 42"));
  return PageData()
      .set_text("csrf", "tok-123")
      .set_flag("sent", true)
      .set_list("replies", std::move(replies));
}

PageData data_for(Page page) {
  switch (page) {
    case Page::kLanding:
      return PageData().set_text("log_verifier_key", "example.org+1a2b3c4d+AbCd0123==");
    case Page::kFirstContact:
      return PageData()
          .set_secret("codename", "apple river stone cloud seven lamp frog moon")
          .set_text("csrf", "tok-123");
    case Page::kLogin:
      return PageData().set_text("csrf", "tok-123");
    case Page::kInbox:
      return inbox_data();
    case Page::kError:
      return PageData().set_number("status", 404);
    case Page::kStaffHome:
      return PageData();
    case Page::kStaffSignIn:
    case Page::kStaffEnrol:
      return PageData().set_text("installation", "example.org+1a2b3c4d+AbCd0123==");
    case Page::kApp:
      return PageData().set_text("log_verifier_key", "example.org+1a2b3c4d+AbCd0123==");
    case Page::kPublished: {
      PageData file;
      file.set_number("index", 7)
          .set_text("sha256", std::string(64, 'a'))
          .set_localized("day", "2026-11-25")
          .set_flag("in_fa", true)
          .set_text("check_href", "/en/published?sha256=aa#result");
      std::vector<PageData> files;
      files.push_back(file);
      return PageData()
          .set_list("files", std::move(files))
          .set_number("total", 1)
          .set_flag("checked", true)
          .set_flag("found", true)
          .set_list("file", {file})
          .set_text("asked", std::string(64, 'a'))
          .set_text("size", "8")
          .set_text("root", "<root>")
          .set_text("leaf_hash", "leaf")
          .set_text("entry_index", "7")
          .set_flag("empty_proof", true)
          .set_text("checkpoint_note", "example/log\n8\n");
    }
  }
  return PageData();
}

constexpr Page kAllPages[] = {Page::kLanding, Page::kFirstContact, Page::kLogin,    Page::kInbox,
                              Page::kError,   Page::kStaffHome,    Page::kPublished};
constexpr Language kBoth[] = {Language::kEnglish, Language::kPersian};

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Renderer, EveryPageHasLangDirAndNoScriptOrExternalResource) {
  for (Page page : kAllPages) {
    for (Language language : kBoth) {
      const std::string html = renderer().render(page, language, data_for(page));
      SCOPED_TRACE(html);
      EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
      if (language == Language::kPersian) {
        EXPECT_TRUE(contains(html, R"(<html lang="fa" dir="rtl">)"));
      } else {
        EXPECT_TRUE(contains(html, R"(<html lang="en" dir="ltr">)"));
      }
      EXPECT_TRUE(contains(html, R"(<link rel="stylesheet" href="/static/safehouse.css">)"));
      EXPECT_FALSE(contains(html, "<script"));
      EXPECT_FALSE(contains(html, "http://"));
      EXPECT_FALSE(contains(html, "https://"));
      EXPECT_FALSE(contains(html, "//")) << "no protocol-relative or other-host URL";
      EXPECT_FALSE(contains(html, "{{")) << "an unrendered tag";
      EXPECT_TRUE(contains(html, "Example &lt;Org&gt; &amp; Co"));
      EXPECT_FALSE(contains(html, "<Org>"));
      // Every src/href is a path on this site.
      const std::regex url_attr(R"re((?:href|src|action)="([^"]*)")re");
      for (auto it = std::sregex_iterator(html.begin(), html.end(), url_attr);
           it != std::sregex_iterator(); ++it) {
        EXPECT_EQ((*it)[1].str().rfind("/", 0), 0u) << (*it)[1].str();
      }
    }
  }
}

// The JavaScript page is the one page with a script: the bundle from this
// site, nothing inline; its strings are translated like every page's, and
// without JavaScript it links to the pages that need none.
TEST(Renderer, AppPageLoadsOnlyTheBundleFromThisSite) {
  for (Language language : kBoth) {
    const std::string html = renderer().render(Page::kApp, language, data_for(Page::kApp));
    SCOPED_TRACE(html);
    EXPECT_TRUE(contains(html, R"(<script src="/static/source.js" defer></script>)"));
    const std::regex script("<script");
    EXPECT_EQ(std::distance(std::sregex_iterator(html.begin(), html.end(), script),
                            std::sregex_iterator()),
              1);
    EXPECT_FALSE(contains(html, "//")) << "no protocol-relative or other-host URL";
    EXPECT_FALSE(contains(html, "{{")) << "an unrendered tag";
    EXPECT_TRUE(contains(html, R"(data-verifier-key="example.org+1a2b3c4d+AbCd0123==")"));
    const std::string lang(code(language));
    EXPECT_TRUE(contains(html, R"(<a class="button" href="/)" + lang + R"(/first-contact">)"));
    EXPECT_TRUE(
        contains(html, R"(href="/)" + std::string(code(other_language(language))) + R"(/app")"));
  }
  const std::string fa = renderer().render(Page::kApp, Language::kPersian, data_for(Page::kApp));
  EXPECT_TRUE(contains(fa, R"(<html lang="fa" dir="rtl">)"));
  EXPECT_TRUE(contains(fa, "در حال رمزگذاری و فرستادن…"));
  EXPECT_FALSE(contains(fa, "Encrypting and sending"));
  const std::string landing =
      renderer().render(Page::kLanding, Language::kEnglish, data_for(Page::kLanding));
  EXPECT_TRUE(contains(landing, R"(href="/en/app")"));
}

TEST(Renderer, LanguageSwitchLinksToTheSamePageInTheOtherLanguage) {
  const std::string en =
      renderer().render(Page::kLogin, Language::kEnglish, data_for(Page::kLogin));
  EXPECT_TRUE(contains(en, R"(href="/fa/login")"));
  EXPECT_TRUE(contains(en, ">فارسی</a>"));
  const std::string fa =
      renderer().render(Page::kFirstContact, Language::kPersian, data_for(Page::kFirstContact));
  EXPECT_TRUE(contains(fa, R"(href="/en/first-contact")"));
  const std::string landing =
      renderer().render(Page::kLanding, Language::kPersian, data_for(Page::kLanding));
  EXPECT_TRUE(contains(landing, R"(href="/en/")"));
  const std::string staff =
      renderer().render(Page::kStaffHome, Language::kEnglish, data_for(Page::kStaffHome));
  EXPECT_FALSE(contains(staff, "language-switch")) << "the staff listener has no /fa/ routes";
}

// The staff listener's sign-in and enrolment pages are the only ones with a
// script: /static/staff.js, nothing inline, nothing from elsewhere; the
// texts the script shows are translated in #messages.
TEST(Renderer, StaffPagesLoadOnlyTheStaffScript) {
  for (Page page : {Page::kStaffSignIn, Page::kStaffEnrol}) {
    for (Language language : kBoth) {
      const std::string html = renderer().render(
          page, language, PageData().set_text("installation", "example.org+1a2b3c4d+AbCd=="));
      SCOPED_TRACE(html);
      EXPECT_TRUE(contains(html, R"(<script src="/static/staff.js" defer></script>)"));
      EXPECT_EQ(html.find("<script"), html.rfind("<script")) << "exactly one script";
      EXPECT_FALSE(contains(html, "<script>"));
      EXPECT_FALSE(std::regex_search(html, std::regex(" on[a-z]+="))) << "no inline event handler";
      EXPECT_FALSE(contains(html, "//"));
      EXPECT_FALSE(contains(html, "{{"));
      EXPECT_TRUE(contains(html, R"(data-installation="example.org+1a2b3c4d+AbCd==")"));
      EXPECT_TRUE(contains(html, R"(<div id="messages" hidden>)"));
      EXPECT_FALSE(contains(html, "This page uses no JavaScript"));
    }
  }
  const std::string fa = renderer().render(Page::kStaffSignIn, Language::kPersian, PageData());
  EXPECT_TRUE(contains(fa, "نام، گذرواژه یا کد نادرست است."));
  EXPECT_FALSE(contains(fa, "Wrong name, passphrase or code."));
  EXPECT_TRUE(contains(fa, R"(href="/en/")"));
  const std::string enrol = renderer().render(Page::kStaffEnrol, Language::kEnglish, PageData());
  EXPECT_TRUE(contains(enrol, R"(href="/fa/enrol")"));
}

TEST(Renderer, PersianPagesAreTranslatedAndUsePersianDigits) {
  const std::string fa = renderer().render(Page::kInbox, Language::kPersian, inbox_data());
  EXPECT_TRUE(contains(fa, "۲۰۲۶-۱۱-۲۵"));
  EXPECT_FALSE(contains(fa, "2026-11-25"));
  EXPECT_TRUE(contains(fa, "گفت\u200cوگوی شما"));  // "Your conversation"
  EXPECT_FALSE(contains(fa, "Your conversation"));
  // User text is shown as given: its digits are not rewritten.
  EXPECT_TRUE(contains(fa, "second 42"));
  // The token must round-trip byte for byte.
  EXPECT_TRUE(contains(fa, R"(name="csrf" value="tok-123")"));

  const std::string en = renderer().render(Page::kInbox, Language::kEnglish, inbox_data());
  EXPECT_TRUE(contains(en, "2026-11-25"));
  EXPECT_TRUE(contains(en, "Your conversation"));
}

TEST(Renderer, UserDataIsEscaped) {
  const std::string html = renderer().render(Page::kInbox, Language::kEnglish, inbox_data());
  EXPECT_FALSE(contains(html, "<script>"));
  EXPECT_TRUE(contains(html, "Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;bye&quot;"));

  const std::string key_attack = renderer().render(
      Page::kLanding, Language::kEnglish,
      PageData().set_text("log_verifier_key", "\"><img src=x onerror=alert(1)>{{t}}"));
  EXPECT_FALSE(contains(key_attack, "<img"));
  EXPECT_TRUE(contains(key_attack, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;{{t}}"));
}

// A secret renders exactly as the same text would, escaping included, in a
// list and twice on one page; no placeholder is left behind.
TEST(Renderer, SecretsRenderExactlyAsText) {
  for (Language language : kBoth) {
    const std::string secret = renderer().render(Page::kInbox, language, inbox_data(true));
    const std::string text = renderer().render(Page::kInbox, language, inbox_data(false));
    EXPECT_EQ(secret, text);
    EXPECT_FALSE(contains(secret, "shs"));
    EXPECT_TRUE(contains(secret, "&amp; &quot;bye&quot; &apos;q&apos;"));
  }
  const std::string words = "apple river stone cloud seven lamp frog moon";
  EXPECT_EQ(renderer().render(Page::kFirstContact, Language::kPersian,
                              PageData().set_secret("codename", words).set_text("csrf", "t")),
            renderer().render(Page::kFirstContact, Language::kPersian,
                              PageData().set_text("codename", words).set_text("csrf", "t")));
  // A text that looks like a placeholder is not one: the marker is random.
  const std::string forged =
      renderer().render(Page::kInbox, Language::kEnglish,
                        PageData()
                            .set_text("csrf", "shs0000000000000000i0e")
                            .set_list("replies", {PageData().set_secret("text", "real secret")}));
  EXPECT_TRUE(contains(forged, "shs0000000000000000i0e"));
  EXPECT_TRUE(contains(forged, "real secret"));
}

TEST(Renderer, InboxShowsSentNoticeAndEmptyState) {
  const std::string sent = renderer().render(Page::kInbox, Language::kEnglish, inbox_data());
  EXPECT_TRUE(contains(sent, "We received what you sent"));
  EXPECT_FALSE(contains(sent, "No replies yet"));
  const std::string empty =
      renderer().render(Page::kInbox, Language::kEnglish, PageData().set_text("csrf", "tok-123"));
  EXPECT_FALSE(contains(empty, "We received what you sent"));
  EXPECT_TRUE(contains(empty, "No replies yet"));
  EXPECT_FALSE(contains(empty, R"(class="reply")"));
}

TEST(Renderer, FirstContactShowsCodenameAndTheAgreedForm) {
  const std::string html =
      renderer().render(Page::kFirstContact, Language::kPersian, data_for(Page::kFirstContact));
  EXPECT_TRUE(contains(html, R"(<p id="codename" class="codename">apple river stone cloud seven )"
                             R"(lamp frog moon</p>)"));
  EXPECT_TRUE(contains(
      html, R"(<form method="post" enctype="multipart/form-data" action="/fa/first-contact">)"));
  EXPECT_TRUE(contains(html, R"(<input type="hidden" name="csrf" value="tok-123">)"));
  EXPECT_TRUE(contains(html, R"(<textarea id="message" name="message")"));
  EXPECT_TRUE(contains(html, R"(<select id="claim_branch" name="claim_branch">)"));
  for (std::string_view value : {"", "army", "police", "intelligence", "other"}) {
    EXPECT_TRUE(contains(html, "<option value=\"" + std::string(value) + "\">")) << value;
  }
  EXPECT_TRUE(contains(html, ">نیروهای نظامی</option>"));
  for (std::string_view name : {"claim_unit", "claim_rank", "claim_region"}) {
    EXPECT_TRUE(contains(html, "<input type=\"text\" id=\"" + std::string(name) + "\" name=\"" +
                                   std::string(name) + "\""))
        << name;
  }
  EXPECT_TRUE(contains(html, R"(<input type="file" id="files" name="files" multiple>)"));
}

TEST(Renderer, LoginAndInboxFormsMatchTheRoutes) {
  const std::string login = renderer().render(
      Page::kLogin, Language::kEnglish, PageData().set_text("csrf", "t").set_flag("error", true));
  EXPECT_TRUE(contains(login, R"(<form method="post" action="/en/login">)"));
  EXPECT_TRUE(contains(login, R"(name="codename")"));
  EXPECT_TRUE(contains(login, "That codename was not recognised"));
  const std::string login_ok =
      renderer().render(Page::kLogin, Language::kEnglish, PageData().set_text("csrf", "t"));
  EXPECT_FALSE(contains(login_ok, "That codename was not recognised"));

  const std::string inbox = renderer().render(Page::kInbox, Language::kEnglish, inbox_data());
  EXPECT_TRUE(
      contains(inbox, R"(<form method="post" enctype="multipart/form-data" action="/en/inbox">)"));
  EXPECT_TRUE(contains(inbox, R"(<form class="logout" method="post" action="/en/logout">)"));
  EXPECT_TRUE(contains(inbox, R"(<input type="file" id="files" name="files" multiple>)"));
}

TEST(Renderer, EveryVisibleControlHasALabel) {
  for (Page page : kAllPages) {
    for (Language language : kBoth) {
      const std::string html = renderer().render(page, language, data_for(page));
      std::set<std::string> labelled;
      const std::regex label(R"re(<label for="([^"]+)")re");
      for (auto it = std::sregex_iterator(html.begin(), html.end(), label);
           it != std::sregex_iterator(); ++it) {
        labelled.insert((*it)[1].str());
      }
      const std::regex control(R"(<(input|textarea|select)([^>]*)>)");
      for (auto it = std::sregex_iterator(html.begin(), html.end(), control);
           it != std::sregex_iterator(); ++it) {
        const std::string attributes = (*it)[2].str();
        if (contains(attributes, R"(type="hidden")")) continue;
        std::smatch id;
        ASSERT_TRUE(std::regex_search(attributes, id, std::regex(R"re(id="([^"]+)")re")))
            << attributes;
        EXPECT_TRUE(labelled.count(id[1].str())) << "no label for " << id[1].str();
      }
    }
  }
}

TEST(Renderer, ErrorPageShowsStatusAndTranslatedMessage) {
  const std::string en =
      renderer().render(Page::kError, Language::kEnglish, PageData().set_number("status", 413));
  EXPECT_TRUE(contains(en, "413"));
  EXPECT_TRUE(contains(en, "too large"));
  EXPECT_FALSE(contains(en, "There is no page"));
  const std::string fa =
      renderer().render(Page::kError, Language::kPersian, PageData().set_number("status", 404));
  EXPECT_TRUE(contains(fa, "۴۰۴"));
  EXPECT_TRUE(contains(fa, "در این نشانی صفحه\u200cای وجود ندارد."));
  const std::string csrf =
      renderer().render(Page::kError, Language::kEnglish, PageData().set_number("status", 403));
  EXPECT_TRUE(contains(csrf, "This form has expired"));
  const std::string server =
      renderer().render(Page::kError, Language::kEnglish, PageData().set_number("status", 500));
  EXPECT_TRUE(contains(server, "Something went wrong on our side"));
  const std::string busy =
      renderer().render(Page::kError, Language::kEnglish, PageData().set_number("status", 503));
  EXPECT_TRUE(contains(busy, "very busy right now"));
  EXPECT_FALSE(contains(busy, "Something went wrong"));
  // A commit cut off (kOutcomeUnknown): 503, but never "nothing was changed".
  for (Language language : {Language::kEnglish, Language::kPersian}) {
    const std::string unknown =
        renderer().render(Page::kError, language,
                          PageData().set_number("status", 503).set_flag("outcome_unknown", true));
    EXPECT_TRUE(contains(unknown, language == Language::kEnglish ? "503" : "۵۰۳"));
    EXPECT_TRUE(contains(
        unknown, language == Language::kEnglish
                     ? "cannot tell whether it arrived"
                     : "نمی‌دانیم که به دست ما رسیده است یا نه"))
        << unknown;
    EXPECT_FALSE(contains(unknown, "very busy"));
    EXPECT_FALSE(contains(unknown, "Nothing was changed"));
    EXPECT_FALSE(contains(unknown, "هیچ چیزی تغییر نکرد"));
  }
  const std::string quota =
      renderer().render(Page::kError, Language::kPersian, PageData().set_number("status", 429));
  EXPECT_TRUE(contains(quota, "۴۲۹"));
  EXPECT_TRUE(contains(quota, "چند دقیقه صبر کنید"));
  const std::string full =
      renderer().render(Page::kError, Language::kPersian, PageData().set_number("status", 507));
  EXPECT_TRUE(contains(full, "۵۰۷"));
  EXPECT_TRUE(contains(full, "فضای ذخیره‌سازی"));
  const std::string other =
      renderer().render(Page::kError, Language::kEnglish, PageData().set_number("status", 418));
  EXPECT_TRUE(contains(other, "The request could not be completed"));
}

TEST(Renderer, LandingShowsKeyAndLinks) {
  const std::string html =
      renderer().render(Page::kLanding, Language::kPersian, data_for(Page::kLanding));
  EXPECT_TRUE(contains(html, "<code>example.org+1a2b3c4d+AbCd0123==</code>"))
      << "the key is shown verbatim, its digits not localised";
  EXPECT_TRUE(contains(html, R"(href="/fa/first-contact")"));
  EXPECT_TRUE(contains(html, R"(href="/fa/login")"));
  EXPECT_TRUE(contains(html, "تماس امن با Example &lt;Org&gt; &amp; Co"));
}

TEST(Renderer, NumbersFollowThePageLanguage) {
  const PageData data = PageData().set_number("status", 1234);
  EXPECT_TRUE(contains(renderer().render(Page::kError, Language::kEnglish, data), "1,234"));
  EXPECT_TRUE(contains(renderer().render(Page::kError, Language::kPersian, data), "۱٬۲۳۴"));
}

TEST(Renderer, TranslateExposesTheCatalog) {
  EXPECT_EQ(renderer().translate(Language::kPersian, "Send"), "ارسال");
  EXPECT_EQ(renderer().translate(Language::kEnglish, "Send"), "Send");
}

}  // namespace
}  // namespace safehouse::web
