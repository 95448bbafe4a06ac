// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/log_pages_test.cpp: the log on the source pages
// (http/log_pages.h): the landing page's list of statements with their
// cosigners, and GET /{lang}/published with its hash form (found with a
// proof, not found, malformed), in English and Persian — no sockets, the
// data from in-memory callbacks.
#include "http/log_pages.h"

#include <gtest/gtest.h>

#include "tlog/note.h"
#include "tlog/note_key.h"
#include "tlog/statement.h"

namespace safehouse::http {
namespace {

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

const web::Renderer& renderer() {
  static const web::Renderer loaded =
      web::Renderer::create(web::SiteInfo{.organisation_name = "Example"}).value();
  return loaded;
}

std::string statement_note(std::uint64_t size, const std::string& first, const std::string& last,
                           bool cosigned) {
  tlog::Checkpoint checkpoint{"example/c74f20a3/log", size, {}, {}};
  tlog::Counts statuses{{"received", 12}, {"triage", 3}};
  tlog::Counts categories{{"police", 11}, {"army", 1}};
  auto statement = tlog::make_statement(checkpoint, first, last, 10, statuses, categories);
  EXPECT_TRUE(statement);
  auto text = tlog::format_statement(*statement);
  EXPECT_TRUE(text);
  static const tlog::Ed25519Signer log_key(tlog::Ed25519Key::generate("example"));
  static const tlog::Ed25519Signer observer(tlog::Ed25519Key::generate("ngo-watch"));
  std::vector<const tlog::NoteSigner*> signers = {&log_key};
  if (cosigned) signers.push_back(&observer);
  auto note = tlog::sign_note(*text, signers);
  EXPECT_TRUE(note);
  return *note;
}

std::string landing(web::Language language, const std::vector<StatementListing>& listings) {
  web::PageData data;
  data.set_list("statements", statement_items(listings));
  return renderer().render(web::Page::kLanding, language, data);
}

TEST(LogPages, LandingListsStatementsNewestFirstWithCosigners) {
  const std::vector<StatementListing> listings = {
      {1, statement_note(120, "2026-01-01", "2026-03-31", true)},
      {2, statement_note(345, "2026-04-01", "2026-04-01", false)},
      {3, "not a note"}};
  const std::string html = landing(web::Language::kEnglish, listings);
  SCOPED_TRACE(html);
  const auto second = html.find(R"(href="/log/statements/2")");
  const auto first = html.find(R"(href="/log/statements/1")");
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(second, first) << "newest first";
  EXPECT_FALSE(contains(html, "/log/statements/3")) << "an unreadable note is left out";
  EXPECT_TRUE(contains(
      html, R"(<span class="day">2026-01-01</span> – <span class="day">2026-03-31</span>)"));
  EXPECT_TRUE(contains(html, "<th>Received</th><td class=\"count\">12</td>"));
  EXPECT_TRUE(contains(html, "<th>In triage</th><td class=\"count\">fewer than 10</td>"));
  EXPECT_TRUE(
      contains(html, "<th>Needs more information</th><td class=\"count\">fewer than 10</td>"));
  EXPECT_TRUE(
      contains(html, R"(<bdi class="category">police</bdi></th><td class="count">11</td>)"));
  EXPECT_TRUE(contains(
      html, R"(<bdi class="category">army</bdi></th><td class="count">fewer than 10</td>)"));
  EXPECT_TRUE(contains(html, R"(Cosigned by observers: <bdi class="cosigner">ngo-watch</bdi>)"));
  EXPECT_TRUE(contains(html, "Not cosigned by any observer yet."));
  EXPECT_FALSE(contains(html, "&lt;10")) << "no bare '<10', which RTL would mirror";
}

TEST(LogPages, LandingInPersianHasPersianDigitsAndTranslations) {
  const std::string html = landing(web::Language::kPersian,
                                   {{1, statement_note(120, "2026-01-01", "2026-03-31", true)}});
  SCOPED_TRACE(html);
  EXPECT_TRUE(contains(html, R"(<html lang="fa" dir="rtl">)"));
  EXPECT_TRUE(contains(html, "آمارهای منتشرشدهٔ ما"));
  EXPECT_TRUE(contains(html, "<span class=\"day\">۲۰۲۶-۰۱-۰۱</span>"));
  EXPECT_TRUE(contains(html, "<th>دریافت‌شده</th><td class=\"count\">۱۲</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"count\">کمتر از ۱۰</td>"));
  EXPECT_TRUE(contains(html, "<span class=\"size\">۱۲۰</span>"));
  EXPECT_TRUE(contains(html, R"(<bdi class="cosigner">ngo-watch</bdi>)"));
}

TEST(LogPages, LandingWithoutStatementsSaysSo) {
  EXPECT_TRUE(
      contains(landing(web::Language::kEnglish, {}), "We have not published any figures yet."));
  web::PageData data;
  data.set_flag("statements_unavailable", true);
  const std::string html = renderer().render(web::Page::kLanding, web::Language::kEnglish, data);
  EXPECT_TRUE(contains(html, "cannot be shown right now"));
  EXPECT_FALSE(contains(html, "We have not published any figures yet."));
}

TEST(LogPages, Sha256HexParsing) {
  const std::string hex(64, 'a');
  auto digest = parse_sha256_hex(hex);
  ASSERT_TRUE(digest);
  EXPECT_EQ((*digest)[0], 0xaa);
  EXPECT_TRUE(parse_sha256_hex("  " + std::string(64, 'F') + "\n"));
  for (std::string bad :
       {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g",
        std::string(62, 'a') + " a", std::string(63, 'a') + "\xd9", "0x" + std::string(62, 'a'),
        std::string(64, '0') + "00"}) {
    EXPECT_FALSE(parse_sha256_hex(bad)) << bad;
  }
}

class PublishedPage : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.set_error_pages([](unsigned status, const Request&) {
      return Response::text("error " + std::to_string(status), status);
    });
    PublishedFiles files;
    files.list = [this]() -> Result<std::vector<PublishedFileRow>> {
      if (fail_) return Error(ErrorCode::kUnavailable, "database away");
      return rows_;
    };
    files.find =
        [this](const crypto::Sha256Digest& digest) -> Result<std::optional<PublishedFileProof>> {
      ++finds_;
      for (const PublishedFileRow& row : rows_) {
        if (parse_sha256_hex(row.sha256) == digest) {
          PublishedFileProof proof;
          proof.file = row;
          proof.checkpoint_note = "example/c74f20a3/log\n3\nROOT=\n\n— example sig\n";
          proof.size = 3;
          proof.root = "ROOT=";
          proof.leaf_hash = "LEAF=";
          proof.proof = {"P0=", "P1="};
          return std::optional<PublishedFileProof>(proof);
        }
      }
      return std::optional<PublishedFileProof>();
    };
    add_published_files_page(router_, renderer(), std::move(files));
  }

  Response get(std::string_view target) {
    auto request = Request::create(Method::kGet, target, {}, {});
    EXPECT_TRUE(request);
    return router_.handle(*request);
  }

  const std::string en_hash_ = std::string(64, 'a');
  const std::string fa_hash_ = std::string(63, 'b') + "c";
  std::vector<PublishedFileRow> rows_ = {{0, en_hash_, "en", "2026-11-02"},
                                         {2, fa_hash_, "fa", "2026-11-03"}};
  bool fail_ = false;
  int finds_ = 0;
  Router router_;
};

TEST_F(PublishedPage, ListsPublishedFilesNewestFirst) {
  Response response = get("/en/published");
  ASSERT_EQ(response.status(), 200u);
  const std::string& html = response.body();
  SCOPED_TRACE(html);
  EXPECT_EQ(response.content_type(), "text/html; charset=utf-8");
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_TRUE(contains(html, R"(<form method="get" action="/en/published#result">)"));
  EXPECT_TRUE(contains(html, R"(name="sha256")"));
  const auto fa = html.find(fa_hash_);
  const auto en = html.find(en_hash_);
  ASSERT_NE(fa, std::string::npos);
  ASSERT_NE(en, std::string::npos);
  EXPECT_LT(fa, en);
  EXPECT_TRUE(contains(html, "<td class=\"day\">2026-11-02</td><td>English</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"day\">2026-11-03</td><td>Persian</td>"));
  EXPECT_TRUE(contains(html, "/en/published?sha256=" + en_hash_ + "#result"));
  EXPECT_EQ(finds_, 0);
}

TEST_F(PublishedPage, FoundHashShowsItsInclusionProof) {
  Response response = get("/en/published?sha256=" + std::string(64, 'A'));
  ASSERT_EQ(response.status(), 200u);
  const std::string& html = response.body();
  SCOPED_TRACE(html);
  EXPECT_TRUE(contains(html, "Published by us"));
  EXPECT_TRUE(contains(html, "Language: English."));
  EXPECT_TRUE(contains(html, R"(<span class="index">0</span>)"));
  EXPECT_TRUE(contains(html, "<li><code>P0=</code></li><li><code>P1=</code></li>"));
  EXPECT_TRUE(contains(html, "<code>ROOT=</code>"));
  EXPECT_TRUE(contains(html, "<code>LEAF=</code>"));
  EXPECT_TRUE(contains(html, "example/c74f20a3/log\n3\nROOT=\n\n— example sig\n"));
  EXPECT_FALSE(contains(html, "Not published by us"));
}

TEST_F(PublishedPage, FoundInPersianHasPersianDigitsButAsciiProof) {
  Response response = get("/fa/published?sha256=" + fa_hash_);
  ASSERT_EQ(response.status(), 200u);
  const std::string& html = response.body();
  SCOPED_TRACE(html);
  EXPECT_TRUE(contains(html, R"(<html lang="fa" dir="rtl">)"));
  EXPECT_TRUE(contains(html, "منتشرشده از سوی ما"));
  EXPECT_TRUE(contains(html, "زبان: فارسی."));
  EXPECT_TRUE(contains(html, R"(<span class="day">۲۰۲۶-۱۱-۰۳</span>)"));
  EXPECT_TRUE(contains(html, R"(<span class="index">۲</span>)"));
  EXPECT_TRUE(contains(html, R"(<dd dir="ltr"><code>2</code></dd>)")) << "the proof's entry";
  EXPECT_TRUE(contains(html, R"(<dd dir="ltr"><code>3</code></dd>)")) << "the proof's size";
}

TEST_F(PublishedPage, UnknownHashIsNotPublished) {
  const std::string other(64, '7');
  for (const char* lang : {"en", "fa"}) {
    Response response = get("/" + std::string(lang) + "/published?sha256=" + other);
    ASSERT_EQ(response.status(), 200u);
    SCOPED_TRACE(response.body());
    EXPECT_TRUE(contains(response.body(), std::string(lang) == "en" ? "Not published by us"
                                                                    : "منتشرشده از سوی ما نیست"));
    EXPECT_TRUE(contains(response.body(), "<code class=\"hash\">" + other + "</code>"));
  }
}

TEST_F(PublishedPage, MalformedHashIs400AndChangesNothing) {
  const std::vector<std::string> queries = {"sha256=xyz", "sha256=" + std::string(63, 'a'),
                                            "sha256=" + std::string(65, 'a'), "sha256=%3Cscript%3E",
                                            "sha256=" + std::string(62, 'a') + "%00a"};
  for (const std::string& query : queries) {
    Response response = get("/en/published?" + query);
    EXPECT_EQ(response.status(), 400u) << query;
    EXPECT_TRUE(contains(response.body(), "That is not a SHA-256")) << query;
    EXPECT_FALSE(contains(response.body(), "<script>")) << query;
  }
  EXPECT_EQ(finds_, 0);
  // An empty field is the bare page; other fields are ignored.
  EXPECT_EQ(get("/en/published?sha256=").status(), 200u);
  EXPECT_EQ(get("/en/published?q=1").status(), 200u);
}

TEST_F(PublishedPage, UnknownLanguageIs404AndOutageIs503) {
  EXPECT_EQ(get("/de/published").status(), 404u);
  fail_ = true;
  EXPECT_EQ(get("/en/published").status(), 503u);
}

TEST_F(PublishedPage, NoneYet) {
  rows_.clear();
  Response response = get("/en/published");
  EXPECT_TRUE(contains(response.body(), "We have not published any file yet."));
}

}  // namespace
}  // namespace safehouse::http
