// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/routes_test.cpp: the source and staff routes through the
// socket-free Router: the whole source journey (first contact with files,
// inbox, follow-up, reply, sign-out, sign-in, sign-in with the spelling
// slips the codename key forgives) and the refusals (CSRF, content type,
// size, unknown language), each of which must store nothing; visitors who
// have not signed in leave no session behind (the table cannot be filled by
// them), a first-contact form outlives the idle time and stays valid in a
// second tab and across the language switch (same codename), and `GET /`
// follows Accept-Language, then the configured default. On both engines
// (SQLite; PostgreSQL with its blobs in the database).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include "codename/codename.h"
#include "codename/wordlist.h"
#include "config/installation.h"
#include "http/request.h"
#include "http/router.h"
#include "http/session_store.h"
#include "http/source_routes.h"
#include "http/staff_routes.h"
#include "intake/intake.h"
#include "source_stack.h"
#include "web/renderer.h"

namespace safehouse::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBoundary = "----safehouse-test-boundary";

struct Part {
  std::string name;
  std::string value;
  std::optional<std::string> file_name;
};

std::string multipart(const std::vector<Part>& parts) {
  std::string body;
  for (const Part& part : parts) {
    body += "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
            part.name + "\"";
    if (part.file_name) {
      body += "; filename=\"" + *part.file_name + "\"\r\nContent-Type: application/octet-stream";
    }
    body += "\r\n\r\n" + part.value + "\r\n";
  }
  return body + "--" + std::string(kBoundary) + "--\r\n";
}

using store::testing::Engine;

class RoutesTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    stack_.engine = GetParam();
    // A fake clock (moved by hand) and a small session table: the tests
    // below fill it and outwait the idle time without waiting.
    ASSERT_NO_FATAL_FAILURE(stack_.open(
        "Route Org", false, 400'000, store::FileSystem::posix(), {}, [this] { return now_; },
        kMaxSessions));
    add_source_routes(router_, *stack_.source);
    staff_ =
        std::make_unique<StaffContext>(StaffContext{*stack_.intake, *stack_.renderer, nullptr});
    add_staff_routes(staff_router_, *staff_);
  }
  void TearDown() override { staff_.reset(); }

  Response call(Method method, const std::string& target, std::string body = {},
                std::string content_type = {}, HeaderMap headers = {}) {
    if (!cookie_.empty()) headers["cookie"] = "safehouse_session=" + cookie_;
    if (!content_type.empty()) headers["content-type"] = content_type;
    auto request = Request::create(method, target, headers, std::move(body));
    EXPECT_TRUE(request);
    Response response = router_.handle(*request);
    if (auto set = response.header("Set-Cookie")) {
      cookie_ = match(std::string(*set), "safehouse_session=([0-9a-f]*)");
    }
    return response;
  }
  Response post_multipart(const std::string& target, const std::vector<Part>& parts) {
    return call(Method::kPost, target, multipart(parts),
                "multipart/form-data; boundary=" + std::string(kBoundary));
  }
  Response post_form(const std::string& target, const std::string& body) {
    return call(Method::kPost, target, body, "application/x-www-form-urlencoded");
  }
  // application/x-www-form-urlencoded: every byte percent-encoded, spaces as '+'.
  static std::string form_value(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string encoded;
    for (const unsigned char c : text) {
      encoded += c == ' ' ? std::string("+") : std::string{'%', kHex[c >> 4], kHex[c & 15]};
    }
    return encoded;
  }
  static std::string csrf_of(const Response& page) {
    return match(page.body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
  }
  std::size_t cases() {
    return stack_.installation->store().list_cases(store::CaseQuery{}).value().size();
  }

  static constexpr std::size_t kMaxSessions = 8;
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  SourceStack stack_;
  std::unique_ptr<StaffContext> staff_;
  Router router_, staff_router_;
  std::string cookie_;
};

std::string codename_on(const Response& page) {
  return match(page.body(), "<p id=\"codename\" class=\"codename\">([^<]+)</p>");
}

TEST_P(RoutesTest, SimplePages) {
  Response root = call(Method::kGet, "/");
  EXPECT_EQ(root.status(), 303U);
  EXPECT_EQ(root.header("Location"), "/en/");
  Response landing = call(Method::kGet, "/fa/");
  EXPECT_EQ(landing.status(), 200U);
  EXPECT_NE(landing.body().find("dir=\"rtl\""), std::string::npos);
  EXPECT_NE(landing.body().find(stack_.installation->verifier_key()), std::string::npos);
  EXPECT_EQ(call(Method::kGet, "/de/").status(), 404U);
  EXPECT_EQ(call(Method::kGet, "/fa").header("Location"), "/fa/");
  EXPECT_EQ(call(Method::kGet, "/favicon.ico").status(), 404U);
  EXPECT_EQ(call(Method::kPost, "/en/").status(), 405U);
  EXPECT_EQ(call(Method::kGet, "/en/nothing").status(), 404U);
  Response metadata = call(Method::kGet, "/api/v1/metadata");
  EXPECT_EQ(metadata.content_type(), "application/json");
  EXPECT_NE(metadata.body().find(stack_.installation->recipient_strings()[0]), std::string::npos);
  EXPECT_EQ(call(Method::kGet, "/static/safehouse.css").status(), 200U);
  EXPECT_EQ(call(Method::kGet, "/en/inbox").header("Location"), "/en/login");
}

TEST_P(RoutesTest, SourceJourney) {
  Request metrics_request = Request::create(Method::kGet, "/metrics").value();
  const std::string metrics_before = staff_router_.handle(metrics_request).body();
  Response form = call(Method::kGet, "/en/first-contact");
  ASSERT_EQ(form.status(), 200U);
  const std::string codename =
      match(form.body(), "<p id=\"codename\" class=\"codename\">([^<]+)</p>");
  ASSERT_FALSE(codename.empty());
  const std::string csrf = csrf_of(form);
  ASSERT_EQ(csrf.size(), 64U);
  const std::string first_cookie = cookie_;

  // A wrong token is refused before anything is stored.
  EXPECT_EQ(post_multipart("/en/first-contact",
                           {{"csrf", std::string(64, 'a'), {}}, {"message", "hello", {}}})
                .status(),
            403U);
  // So is a form whose token is not the first field.
  EXPECT_EQ(
      post_multipart("/en/first-contact", {{"message", "hello", {}}, {"csrf", csrf, {}}}).status(),
      403U);
  EXPECT_EQ(cases(), 0U);

  Response sent = post_multipart("/en/first-contact",
                                 {{"csrf", csrf, {}},
                                  {"message", "my first message", {}},
                                  {"claim_branch", "army", {}},
                                  {"claim_unit", "", {}},
                                  {"claim_rank", "", {}},
                                  {"claim_region", "", {}},
                                  {"files", std::string(100'000, 'x'), "../../etc/evidence.pdf"},
                                  {"files", "", ""}});
  ASSERT_EQ(sent.status(), 303U) << sent.body();
  EXPECT_EQ(sent.header("Location"), "/en/inbox?sent=1");
  EXPECT_NE(cookie_, first_cookie);  // a session's token replaces the visitor cookie
  EXPECT_EQ(cases(), 1U);

  Response inbox = call(Method::kGet, "/en/inbox?sent=1");
  ASSERT_EQ(inbox.status(), 200U);
  EXPECT_NE(inbox.body().find("class=\"notice\""), std::string::npos);
  const std::string inbox_csrf = csrf_of(inbox);

  // A follow-up goes to the same case.
  Response more = post_multipart("/en/inbox", {{"csrf", inbox_csrf, {}}, {"message", "more", {}}});
  EXPECT_EQ(more.status(), 303U);
  const auto all = stack_.installation->store().list_cases(store::CaseQuery{}).value();
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].item_count, 3);

  // A reviewer replies; the inbox shows it, decrypted with the session's key.
  ASSERT_TRUE(stack_.intake->send_reply(all[0].case_id, "We read you <b>", "en"));
  inbox = call(Method::kGet, "/en/inbox");
  EXPECT_NE(inbox.body().find("We read you &lt;b&gt;"), std::string::npos);

  // Sign out, then back in with the codename.
  EXPECT_EQ(post_form("/en/logout", "csrf=bad").status(), 403U);
  Response out = post_form("/en/logout", "csrf=" + inbox_csrf);
  EXPECT_EQ(out.status(), 303U);
  EXPECT_EQ(out.header("Location"), "/en/");
  EXPECT_EQ(call(Method::kGet, "/en/inbox").status(), 303U);

  cookie_.clear();
  Response login_form = call(Method::kGet, "/fa/login");
  const std::string login_csrf = csrf_of(login_form);
  Response wrong = post_form("/fa/login", "csrf=" + login_csrf + "&codename=not+a+codename");
  EXPECT_EQ(wrong.status(), 200U);
  EXPECT_NE(wrong.body().find("class=\"error\""), std::string::npos);
  std::string typed = codename;
  std::replace(typed.begin(), typed.end(), ' ', '+');
  Response in = post_form("/fa/login", "csrf=" + login_csrf + "&codename=" + typed);
  ASSERT_EQ(in.status(), 303U);
  EXPECT_EQ(in.header("Location"), "/fa/inbox");
  inbox = call(Method::kGet, "/fa/inbox");
  EXPECT_NE(inbox.body().find("We read you"), std::string::npos);

  // Metrics: no labels, and nothing moved while the source acted (a
  // scrape every 15 s must not date a submission); the process counted.
  Response metrics = staff_router_.handle(metrics_request);
  EXPECT_EQ(metrics.body(), metrics_before);
  EXPECT_EQ(metrics.body().find('{'), std::string::npos);
  EXPECT_EQ(stack_.intake->stats().submissions, 2U);
}

TEST_P(RoutesTest, RefusalsStoreNothing) {
  const std::string csrf = csrf_of(call(Method::kGet, "/en/first-contact"));
  // Wrong content type.
  EXPECT_EQ(
      call(Method::kPost, "/en/first-contact", "message=hi", "application/x-www-form-urlencoded")
          .status(),
      415U);
  // Over the upload limit (400 000 bytes here): 413, and the blob is gone.
  EXPECT_EQ(post_multipart("/en/first-contact",
                           {{"csrf", csrf, {}}, {"files", std::string(500'000, 'y'), "a.bin"}})
                .status(),
            413U);
  // Malformed multipart.
  EXPECT_EQ(
      call(Method::kPost, "/en/first-contact", "--x\r\nnonsense", "multipart/form-data; boundary=x")
          .status(),
      400U);
  // An unknown field and an unknown branch.
  EXPECT_EQ(
      post_multipart("/en/first-contact", {{"csrf", csrf, {}}, {"colour", "red", {}}}).status(),
      400U);
  EXPECT_EQ(post_multipart("/en/first-contact",
                           {{"csrf", csrf, {}}, {"message", "x", {}}, {"claim_branch", "navy", {}}})
                .status(),
            400U);
  // Nothing to send.
  EXPECT_EQ(post_multipart("/en/first-contact", {{"csrf", csrf, {}}, {"message", "", {}}}).status(),
            400U);
  // No session at all.
  cookie_.clear();
  EXPECT_EQ(
      post_multipart("/en/first-contact", {{"csrf", csrf, {}}, {"message", "x", {}}}).status(),
      403U);
  EXPECT_EQ(post_multipart("/en/inbox", {{"csrf", csrf, {}}, {"message", "x", {}}}).status(), 403U);
  EXPECT_EQ(cases(), 0U);
  EXPECT_EQ(stack_.installation->store().stats().batches, 0U);
  EXPECT_EQ(stack_.blob_count(), 0U);
}

// The first-contact form's audit consent: the box is there unticked in
// both languages; ticked ("yes") it is stored with the case, absent it is
// not; any other value, the field twice, or a ticked box posted as a
// follow-up (the form sent again from a signed-in tab) is a 400 that stores
// nothing.
TEST_P(RoutesTest, FirstContactFormCarriesTheAuditConsent) {
  for (const char* lang : {"en", "fa"}) {
    cookie_.clear();
    Response form = call(Method::kGet, std::string("/") + lang + "/first-contact");
    ASSERT_EQ(form.status(), 200U);
    EXPECT_NE(form.body().find(R"(<input type="checkbox" id="audit_consent" name="audit_consent" )"
                               R"(value="yes">)"),
              std::string::npos)
        << lang;
    EXPECT_EQ(form.body().find("checked"), std::string::npos) << lang;
  }
  EXPECT_NE(call(Method::kGet, "/fa/first-contact").body().find("بازرسی مستقل"), std::string::npos);

  auto first_contact = [&](const std::vector<Part>& consent) {
    cookie_.clear();
    const std::string csrf = csrf_of(call(Method::kGet, "/en/first-contact"));
    std::vector<Part> parts = {{"csrf", csrf, {}}, {"message", "hello", {}}};
    parts.insert(parts.end(), consent.begin(), consent.end());
    return post_multipart("/en/first-contact", parts);
  };
  for (const std::vector<Part>& bad : std::vector<std::vector<Part>>{
           {{"audit_consent", "no", {}}},
           {{"audit_consent", "", {}}},
           {{"audit_consent", "YES", {}}},
           {{"audit_consent", "yes ", {}}},
           {{"audit_consent", std::string(100, 'y'), {}}},
           {{"audit_consent", "yes", {}}, {"audit_consent", "yes", {}}},
       }) {
    EXPECT_EQ(first_contact(bad).status(), 400U) << bad[0].value;
  }
  EXPECT_EQ(cases(), 0U);
  EXPECT_EQ(stack_.installation->store().stats().batches, 0U);

  ASSERT_EQ(first_contact({{"audit_consent", "yes", {}}}).status(), 303U);
  // Signed in now: the same form again is a follow-up, where consent is refused.
  const std::string inbox_csrf = csrf_of(call(Method::kGet, "/en/inbox"));
  EXPECT_EQ(post_multipart(
                "/en/first-contact",
                {{"csrf", inbox_csrf, {}}, {"message", "again", {}}, {"audit_consent", "yes", {}}})
                .status(),
            400U);
  ASSERT_EQ(first_contact({}).status(), 303U);
  const auto all = stack_.installation->store().list_cases(store::CaseQuery{}).value();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_TRUE(all[0].audit_consent);
  EXPECT_EQ(all[0].item_count, 1);
  EXPECT_FALSE(all[1].audit_consent);
}

// The codename is shown in the page's language and accepted typed in the
// other one: a Persian first contact, then an English-page sign-in.
TEST_P(RoutesTest, PersianCodenameSignsInAnywhere) {
  Response form = call(Method::kGet, "/fa/first-contact");
  ASSERT_EQ(form.status(), 200U);
  EXPECT_NE(form.body().find("lang=\"fa\" dir=\"rtl\""), std::string::npos);
  const std::string words = match(form.body(), "<p id=\"codename\" class=\"codename\">([^<]+)</p>");
  ASSERT_FALSE(words.empty());
  EXPECT_GE(static_cast<unsigned char>(words[0]), 0x80U);  // Persian script
  ASSERT_EQ(
      post_multipart("/fa/first-contact", {{"csrf", csrf_of(form), {}}, {"message", "سلام", {}}})
          .status(),
      303U);
  cookie_.clear();
  const std::string csrf = csrf_of(call(Method::kGet, "/en/login"));
  Response in = post_form("/en/login", "csrf=" + csrf + "&codename=" + form_value(words));
  EXPECT_EQ(in.status(), 303U);
  EXPECT_EQ(in.header("Location"), "/en/inbox");
}

// Issue 7: cookieless requests to every page a visitor sees before signing
// in, many times over the table's size, leave the session table empty; a
// source then still makes first contact and signs in.
TEST_P(RoutesTest, AnonymousVisitorsFillNoSessions) {
  for (std::size_t i = 0; i < 50 * kMaxSessions; ++i) {
    cookie_.clear();
    ASSERT_EQ(call(Method::kGet, i % 2 ? "/en/login" : "/fa/login").status(), 200U);
    ASSERT_EQ(call(Method::kGet, "/en/inbox").status(), 303U);
  }
  // Failed sign-ins (each an Argon2id run: a few only).
  for (std::size_t i = 0; i < 3; ++i) {
    cookie_.clear();
    const std::string csrf = csrf_of(call(Method::kGet, "/en/login"));
    ASSERT_EQ(post_form("/en/login", "csrf=" + csrf + "&codename=x").status(), 200U);
  }
  // First-contact pages derive keys (slow): fewer of them, still more than
  // the table holds.
  for (std::size_t i = 0; i < kMaxSessions + 2; ++i) {
    cookie_.clear();
    ASSERT_EQ(call(Method::kGet, "/en/first-contact").status(), 200U);
  }
  EXPECT_EQ(stack_.sessions->size(), 0U);

  cookie_.clear();
  Response form = call(Method::kGet, "/en/first-contact");
  const std::string codename = codename_on(form);
  ASSERT_EQ(
      post_multipart("/en/first-contact", {{"csrf", csrf_of(form), {}}, {"message", "hi", {}}})
          .status(),
      303U);
  EXPECT_EQ(call(Method::kGet, "/en/inbox").status(), 200U);
  EXPECT_EQ(stack_.sessions->size(), 1U);
  cookie_.clear();
  const std::string csrf = csrf_of(call(Method::kGet, "/en/login"));
  Response in = post_form("/en/login", "csrf=" + csrf + "&codename=" + form_value(codename));
  ASSERT_EQ(in.status(), 303U);
  EXPECT_EQ(call(Method::kGet, "/en/inbox").status(), 200U);
  EXPECT_EQ(stack_.sessions->size(), 2U);
}

// One codename signed in again and again holds at most
// kMaxSessionsPerOwner sessions: it cannot fill the table either.
TEST_P(RoutesTest, OneSourceCannotFillTheTable) {
  Response form = call(Method::kGet, "/en/first-contact");
  const std::string typed = form_value(codename_on(form));
  ASSERT_EQ(
      post_multipart("/en/first-contact", {{"csrf", csrf_of(form), {}}, {"message", "hi", {}}})
          .status(),
      303U);
  for (std::size_t i = 0; i < SessionStore::kMaxSessionsPerOwner + 2; ++i) {
    cookie_.clear();
    const std::string csrf = csrf_of(call(Method::kGet, "/en/login"));
    ASSERT_EQ(post_form("/en/login", "csrf=" + csrf + "&codename=" + typed).status(), 303U);
  }
  EXPECT_EQ(stack_.sessions->size(), SessionStore::kMaxSessionsPerOwner);
  // Another source still gets in.
  cookie_.clear();
  form = call(Method::kGet, "/fa/first-contact");
  EXPECT_EQ(
      post_multipart("/fa/first-contact", {{"csrf", csrf_of(form), {}}, {"message", "hi", {}}})
          .status(),
      303U);
  EXPECT_EQ(call(Method::kGet, "/fa/inbox").status(), 200U);
}

// Issue 7: writing a first message may take longer than the idle time
// (15 minutes here); the form is still accepted, and nothing was kept on
// the server meanwhile.
TEST_P(RoutesTest, FirstContactOutlivesTheIdleTime) {
  Response form = call(Method::kGet, "/en/first-contact");
  EXPECT_EQ(stack_.sessions->size(), 0U);
  now_ += std::chrono::hours(3);
  stack_.sessions->sweep();
  Response sent = post_multipart("/en/first-contact",
                                 {{"csrf", csrf_of(form), {}}, {"message", "three hours", {}}});
  ASSERT_EQ(sent.status(), 303U) << sent.body();
  EXPECT_EQ(sent.header("Location"), "/en/inbox?sent=1");
  EXPECT_EQ(cases(), 1U);
  // A signed-in session still ends after the idle time.
  EXPECT_EQ(call(Method::kGet, "/en/inbox").status(), 200U);
  now_ += std::chrono::minutes(16);
  EXPECT_EQ(call(Method::kGet, "/en/inbox").status(), 303U);
}

// Issue 7: a second tab and the language switch show the same codename (in
// the other language's words); every tab's form stays valid; the first one
// sent is the first contact, the others follow it up.
TEST_P(RoutesTest, SecondTabAndLanguageSwitchKeepTheCodename) {
  Response en = call(Method::kGet, "/en/first-contact");
  const std::string cookie = cookie_;
  Response fa = call(Method::kGet, "/fa/first-contact");
  Response en_again = call(Method::kGet, "/en/first-contact");
  EXPECT_EQ(cookie_, cookie);  // nothing new issued
  const std::string en_words = codename_on(en);
  const std::string fa_words = codename_on(fa);
  ASSERT_FALSE(en_words.empty());
  EXPECT_NE(en_words, fa_words);
  EXPECT_GE(static_cast<unsigned char>(fa_words[0]), 0x80U);  // Persian words
  EXPECT_EQ(codename_on(en_again), en_words);
  auto from_en = codename::Codename::parse(en_words);
  auto from_fa = codename::Codename::parse(fa_words);
  ASSERT_TRUE(from_en && from_fa);
  EXPECT_TRUE(from_en->equals(*from_fa));  // the same indices
  EXPECT_EQ(csrf_of(en), csrf_of(fa));

  ASSERT_EQ(
      post_multipart("/fa/first-contact", {{"csrf", csrf_of(fa), {}}, {"message", "tab 2", {}}})
          .status(),
      303U);
  EXPECT_EQ(
      post_multipart("/en/first-contact", {{"csrf", csrf_of(en), {}}, {"message", "tab 1", {}}})
          .status(),
      303U);
  const auto all = stack_.installation->store().list_cases(store::CaseQuery{}).value();
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].item_count, 2);
  // Signed in now: the first-contact page leads to the inbox, no new codename.
  Response again = call(Method::kGet, "/en/first-contact");
  EXPECT_EQ(again.status(), 303U);
  EXPECT_EQ(again.header("Location"), "/en/inbox");
  // The codename both tabs showed signs in.
  cookie_.clear();
  const std::string csrf = csrf_of(call(Method::kGet, "/en/login"));
  EXPECT_EQ(post_form("/en/login", "csrf=" + csrf + "&codename=" + form_value(en_words)).status(),
            303U);
}

// A visitor cookie from another process (a restart), altered, or another
// visitor's CSRF token: refused, nothing stored.
TEST_P(RoutesTest, ForeignVisitorCookiesAreRefused) {
  Response form = call(Method::kGet, "/en/first-contact");
  const std::string csrf = csrf_of(form);
  std::string altered = cookie_;
  altered[10] = altered[10] == 'a' ? 'b' : 'a';
  VisitorTokens other_process;
  const std::string foreign = other_process.seal(VisitorTokens::new_id(), {});
  for (const std::string& cookie : {altered, foreign, std::string(64, 'a')}) {
    cookie_ = cookie;
    EXPECT_EQ(
        post_multipart("/en/first-contact", {{"csrf", csrf, {}}, {"message", "x", {}}}).status(),
        403U);
    EXPECT_EQ(post_form("/en/login", "csrf=" + csrf + "&codename=x").status(), 403U);
  }
  // Another visitor's form token with this visitor's cookie.
  cookie_.clear();
  Response mine = call(Method::kGet, "/en/first-contact");
  EXPECT_NE(csrf_of(mine), csrf);
  EXPECT_EQ(
      post_multipart("/en/first-contact", {{"csrf", csrf, {}}, {"message", "x", {}}}).status(),
      403U);
  EXPECT_EQ(cases(), 0U);
}

// Issue 7: `GET /` follows Accept-Language when it names one of our
// languages, else the configured default.
TEST_P(RoutesTest, RootFollowsAcceptLanguageThenDefault) {
  auto root = [&](const std::string& accept) {
    HeaderMap headers;
    if (!accept.empty()) headers["accept-language"] = accept;
    return std::string(call(Method::kGet, "/", {}, {}, headers).header("Location").value_or(""));
  };
  EXPECT_EQ(root(""), "/en/");
  EXPECT_EQ(root("fa-IR,fa;q=0.9,en;q=0.5"), "/fa/");
  EXPECT_EQ(root("de-DE,de;q=0.9"), "/en/");
  EXPECT_EQ(root("en-US,en;q=0.5"), "/en/");
  stack_.source->site.default_language = web::Language::kPersian;
  EXPECT_EQ(root(""), "/fa/");
  EXPECT_EQ(root("de, *;q=0.5"), "/fa/");
  EXPECT_EQ(root("en-GB"), "/en/");
  EXPECT_EQ(root("en;q=0, de"), "/fa/");
  EXPECT_EQ(call(Method::kGet, "/").header("Vary"), "Accept-Language");
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Each Persian letter (two bytes of UTF-8) that `table` names, replaced.
std::string replace_letters(const std::string& word,
                            const std::vector<std::pair<std::string, std::string>>& table) {
  std::string out;
  for (std::size_t i = 0; i + 1 < word.size(); i += 2) {
    std::string letter = word.substr(i, 2);
    for (const auto& [from, to] : table) {
      if (letter == from) {
        letter = to;
        break;
      }
    }
    out += letter;
  }
  return out;
}

// The page shows a Persian codename as the list spells it; typed back with
// every kind of slip the key folds, it reaches the same source; with a slip
// outside the fold it gets exactly the page any wrong codename gets. The
// sign-in page says that such slips are forgiven.
TEST_P(RoutesTest, PersianSpellingSlipsSignInAndOtherSlipsDoNot) {
  Response form = call(Method::kGet, "/fa/first-contact");
  ASSERT_EQ(form.status(), 200U);
  const auto words =
      split_words(match(form.body(), "<p id=\"codename\" class=\"codename\">([^<]+)</p>"));
  ASSERT_EQ(words.size(), 9U);
  const auto list = codename::wordlist(codename::Language::kPersian);
  for (const auto& word : words) {
    EXPECT_NE(std::find(list.begin(), list.end(), word), list.end()) << "not as listed: " << word;
  }
  ASSERT_EQ(
      post_multipart("/fa/first-contact", {{"csrf", csrf_of(form), {}}, {"message", "سلام", {}}})
          .status(),
      303U);
  cookie_.clear();

  // Homophone letters, hamza forms, Arabic letters, the letters an Arabic
  // keyboard types for پ چ ژ گ, in turn on each word; ZWNJ and a space inside
  // words, two words run together; numbered in Persian and Arabic digits.
  const std::vector<std::vector<std::pair<std::string, std::string>>> slips = {
      {{"ت", "ط"}, {"س", "ص"}, {"ز", "ظ"}, {"ه", "ح"}, {"ق", "غ"}, {"ا", "ع"}, {"ذ", "ض"}},
      {{"ی", "ئ"}, {"و", "ؤ"}, {"ا", "أ"}, {"آ", "ا"}, {"ئ", "ی"}, {"ط", "ت"}, {"ص", "ث"}},
      {{"ی", "ي"}, {"ک", "ك"}, {"ه", "ة"}, {"ا", "إ"}, {"ح", "ه"}, {"ع", "ا"}, {"غ", "ق"}},
      {{"پ", "ب"}, {"چ", "ج"}, {"ژ", "ز"}, {"گ", "ک"}, {"ه", "ە"}, {"ی", "ى"}, {"ظ", "ز"}},
  };
  const std::string persian_digits[] = {"۱", "۲", "۳", "۴", "۵", "۶", "۷", "۸", "۹"};
  const std::string arabic_digits[] = {"١", "٢", "٣", "٤", "٥", "٦", "٧", "٨", "٩"};
  std::string typed;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string word = replace_letters(words[i], slips[i % slips.size()]);
    if (i == 1) word += "ء";
    if (i == 4) word.insert(2, "\u200c");
    if (i == 7) word.insert(2, " ");
    // Words 6 and 7 run together: no number, no space between them.
    if (i != 6) typed += (i % 2 ? arabic_digits[i] : persian_digits[i]) + "- ";
    typed += word + (i == 5 ? "" : " ");
  }
  Response login = call(Method::kGet, "/fa/login");
  EXPECT_NE(login.body().find("اشتباه املایی"), std::string::npos);  // slips are forgiven
  const std::string csrf = csrf_of(login);
  Response in = post_form("/fa/login", "csrf=" + csrf + "&codename=" + form_value(typed));
  ASSERT_EQ(in.status(), 303U);
  EXPECT_EQ(in.header("Location"), "/fa/inbox");
  EXPECT_EQ(call(Method::kGet, "/fa/inbox").status(), 200U);

  // Outside the fold: ر for the first letter of word 4 (or م for a ر).
  cookie_.clear();
  const std::string login_csrf = csrf_of(call(Method::kGet, "/fa/login"));
  auto outside = words;
  outside[3].replace(0, 2, outside[3].substr(0, 2) == "ر" ? "م" : "ر");
  std::string outside_typed;
  for (const auto& word : outside) outside_typed += word + " ";
  // Any wrong codename: nine list words of no source, and no codename at all.
  std::string other;
  for (std::size_t i = 0; i < 9; ++i) other += std::string(list[i * 200]) + " ";
  std::vector<std::string> answers;
  for (const std::string& attempt : {outside_typed, other, std::string("not a codename")}) {
    Response wrong =
        post_form("/fa/login", "csrf=" + login_csrf + "&codename=" + form_value(attempt));
    EXPECT_EQ(wrong.status(), 200U);
    EXPECT_NE(wrong.body().find("class=\"error\""), std::string::npos);
    EXPECT_EQ(wrong.header("Location"), std::nullopt);
    answers.push_back(std::regex_replace(wrong.body(), std::regex("value=\"[0-9a-f]+\""), ""));
  }
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(answers[0], answers[2]);
  EXPECT_EQ(call(Method::kGet, "/fa/inbox").status(), 303U);  // not signed in
}

// PostgreSQL only: the connection is cut during COMMIT (a deferred trigger
// ends the server process running it), so the outcome is unknown. The
// source gets a 503 page saying exactly that — in English and Persian,
// never "nothing was changed", never a 500 — and once the database answers
// again the same form goes through, with no restart.
class RoutesCommitCutTest : public RoutesTest {};

TEST_P(RoutesCommitCutTest, ACommitCutOffIs503AndSaysSo) {
  const std::string cut_sql =
      "CREATE FUNCTION cut_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(10); RETURN NULL; "
      "END $$; CREATE CONSTRAINT TRIGGER cut_commit AFTER INSERT ON items DEFERRABLE "
      "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cut_commit()";
  stack_.db->sql(cut_sql);
  for (const char* language : {"en", "fa"}) {
    SCOPED_TRACE(language);
    cookie_.clear();
    const std::string base = std::string("/") + language;
    Response form = call(Method::kGet, base + "/first-contact");
    ASSERT_EQ(form.status(), 200U);
    Response cut = post_multipart(base + "/first-contact",
                                  {{"csrf", csrf_of(form), {}}, {"message", "hello", {}}});
    EXPECT_EQ(cut.status(), 503U) << cut.body();
    EXPECT_NE(cut.body().find(language == std::string("en")
                                  ? "cannot tell whether it arrived"
                                  : "نمی\u200cدانیم که به دست ما رسیده است یا نه"),
              std::string::npos)
        << cut.body();
    EXPECT_EQ(cut.body().find("Nothing was changed"), std::string::npos);
    EXPECT_EQ(cut.body().find("هیچ چیزی تغییر نکرد"), std::string::npos);
    EXPECT_EQ(cases(), 0U);  // this time the cut COMMIT did not happen
  }
  stack_.db->sql("DROP TRIGGER cut_commit ON items; DROP FUNCTION cut_commit()");
  Response form = call(Method::kGet, "/en/first-contact");
  Response sent = post_multipart("/en/first-contact",
                                 {{"csrf", csrf_of(form), {}}, {"message", "hello again", {}}});
  EXPECT_EQ(sent.status(), 303U) << sent.body();
  EXPECT_EQ(cases(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Postgres, RoutesCommitCutTest, ::testing::Values(Engine::kPostgres),
                         store::testing::engine_name);

INSTANTIATE_TEST_SUITE_P(Engines, RoutesTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::http
