// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/source_api_test.cpp: what the JavaScript client gets from the
// source listener (docs/routes.md, "The JavaScript client"): the page with
// its script and policy, and the recipient set as a note signed by the log
// key that follows the recipients file as it changes.
#include <gtest/gtest.h>

#include <fstream>

#include "config/transparency_log.h"
#include "http/request.h"
#include "http/router.h"
#include "http/source_routes.h"
#include "source_stack.h"
#include "tlog/note.h"
#include "tlog/note_key.h"

namespace safehouse::http {
namespace {

class SourceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(stack_.open("Api Org", false, 400'000));
    // A log key of its own: the test installation's is locked.
    signer_.emplace(config::log_signer(key_));
    stack_.source->note_signer = &*signer_;
    stack_.source->live_recipients = [this]() -> Result<std::vector<std::string>> { return live_; };
    live_ = stack_.installation->recipient_strings();
    add_source_routes(router_, *stack_.source);
  }

  Response call(Method method, const std::string& target, std::string body = {},
                HeaderMap headers = {}) {
    auto request = Request::create(method, target, headers, std::move(body));
    EXPECT_TRUE(request);
    return router_.handle(*request);
  }

  // The note of the metadata, opened with the installation's verifier key.
  Result<std::string> opened_note() {
    Response metadata = call(Method::kGet, "/api/v1/metadata");
    EXPECT_EQ(metadata.status(), 200U);
    const std::string note = match(metadata.body(), R"re("recipients_note":"([^"]*)")re");
    std::string unescaped;
    for (std::size_t i = 0; i < note.size(); ++i) {
      if (note[i] == '\\' && i + 1 < note.size() && note[i + 1] == 'n') {
        unescaped += '\n';
        ++i;
      } else {
        unescaped += note[i];
      }
    }
    auto verifier = tlog::parse_verifier_key(key_.verifier_key()).value();
    const tlog::NoteVerifier* known[] = {verifier.get()};
    auto opened = tlog::open_note(unescaped, known);
    if (!opened) return opened.error();
    return opened->text;
  }

  SourceStack stack_;
  config::LogKey key_ = config::LogKey::generate("api-org");
  std::optional<tlog::Ed25519Signer> signer_;
  std::vector<std::string> live_;
  Router router_;
};

TEST_F(SourceApiTest, MetadataCarriesTheRecipientSetSignedByTheLogKey) {
  auto text = opened_note();
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "safehouse/recipients/v1\n" + live_[0] + "\n");
}

TEST_F(SourceApiTest, TheNoteFollowsTheLiveRecipientSet) {
  live_.push_back("age1pu8p0zketzt20tvty8s3fpansh7dzxk4vc2kjv6aea76mhcyaecqtw0c9u");
  auto text = opened_note();
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "safehouse/recipients/v1\n" + live_[0] + "\n" + live_[1] + "\n");
  Response metadata = call(Method::kGet, "/api/v1/metadata");
  EXPECT_NE(metadata.body().find(live_[1]), std::string::npos);
}

TEST_F(SourceApiTest, ANoteByAnotherKeyDoesNotOpen) {
  config::LogKey other = config::LogKey::generate("api-org");
  signer_.emplace(config::log_signer(other));
  stack_.source->note_signer = &*signer_;
  auto text = opened_note();
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::kNoMatch);
}

TEST_F(SourceApiTest, WithoutASignerThereIsNoNote) {
  stack_.source->note_signer = nullptr;
  Response metadata = call(Method::kGet, "/api/v1/metadata");
  EXPECT_EQ(metadata.status(), 200U);
  EXPECT_EQ(metadata.body().find("recipients_note"), std::string::npos);
}

TEST_F(SourceApiTest, AppPageAllowsSameOriginScriptOnlyAndOtherPagesNone) {
  for (const char* lang : {"en", "fa"}) {
    Response app = call(Method::kGet, std::string("/") + lang + "/app");
    EXPECT_EQ(app.status(), 200U);
    EXPECT_EQ(app.header("Content-Security-Policy"), kScriptPageCsp);
    EXPECT_NE(app.body().find(R"(<script src="/static/source.js" defer></script>)"),
              std::string::npos);
    EXPECT_NE(app.body().find(stack_.installation->verifier_key()), std::string::npos);
  }
  EXPECT_FALSE(call(Method::kGet, "/en/").header("Content-Security-Policy"));
  EXPECT_EQ(call(Method::kGet, "/de/app").status(), 404U);
  Response bundle = call(Method::kGet, "/static/source.js");
  EXPECT_EQ(bundle.status(), 200U);
  EXPECT_EQ(bundle.content_type(), "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace safehouse::http
