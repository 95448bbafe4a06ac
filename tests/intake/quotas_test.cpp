// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/quotas_test.cpp: the [quotas] that keep one client from
// filling the disk or guessing codenames, through the socket-free Router:
// submissions per session per minute, bytes per source per day, the
// free-space reserve (507, with the fault-injecting FileSystem, nothing
// stored harmed), and the per-session sign-in failure limit. On both
// engines (SQLite; PostgreSQL with its blobs in the database).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "age/identity_file.h"
#include "codename/codename.h"
#include "http/router.h"
#include "http/source_routes.h"
#include "intake/daily_quota.h"
#include "intake/item_reader.h"
#include "source_stack.h"
#include "store/faulty_file_system.h"

namespace safehouse::http {
namespace {

constexpr std::string_view kBoundary = "quota-boundary";

std::string multipart(const std::string& csrf, const std::string& message,
                      const std::string& file = {}) {
  const std::string dash = "--" + std::string(kBoundary);
  std::string body =
      dash + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n" + dash +
      "\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n" + message + "\r\n";
  if (!file.empty()) {
    body += dash +
            "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"f.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n" +
            file + "\r\n";
  }
  return body + dash + "--\r\n";
}

using store::testing::Engine;

class QuotasTest : public ::testing::TestWithParam<Engine> {
 protected:
  void open(const std::function<void(intake::IntakeOptions&)>& tune) {
    stack_.engine = GetParam();
    ASSERT_NO_FATAL_FAILURE(stack_.open("Quota Org", true, 64 << 20, faulty_, tune));
    add_source_routes(router_, *stack_.source);
  }
  Response call(Method method, const std::string& target, std::string body = {},
                std::string content_type = {}) {
    HeaderMap headers;
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
  std::string csrf_of(const Response& page) {
    return match(page.body(), "name=\"csrf\" value=\"([0-9a-f]+)\"");
  }
  // A first contact; the session is then signed in. Returns the codename.
  std::string first_contact(const std::string& file = {}) {
    Response form = call(Method::kGet, "/en/first-contact");
    EXPECT_EQ(form.status(), 200U);
    csrf_ = csrf_of(form);
    Response sent = send("/en/first-contact", "first", file);
    EXPECT_EQ(sent.status(), 303U) << sent.body();
    csrf_ = csrf_of(call(Method::kGet, "/en/inbox"));
    return match(form.body(), "<p id=\"codename\" class=\"codename\">([^<]+)</p>");
  }
  Response send(const std::string& target, const std::string& message,
                const std::string& file = {}) {
    return call(Method::kPost, target, multipart(csrf_, message, file),
                "multipart/form-data; boundary=" + std::string(kBoundary));
  }
  std::size_t items() {
    auto& store = stack_.installation->store();
    std::size_t n = 0;
    for (const auto& c : store.list_cases({}).value()) n += store.list_items(c.case_id)->size();
    return n;
  }

  store::FaultyFileSystem faulty_{store::FileSystem::posix()};
  SourceStack stack_;
  Router router_;
  std::string cookie_, csrf_;
  store::Day today_ = store::day_of(std::chrono::system_clock::now());
};

TEST_P(QuotasTest, SubmissionsPerSessionPerMinute) {
  ASSERT_NO_FATAL_FAILURE(open({}));
  stack_.source->site.submissions_per_session_per_minute = 2;
  first_contact();
  EXPECT_EQ(send("/en/inbox", "second").status(), 303U);
  const std::size_t stored = items();
  Response third = send("/en/inbox", "third");
  EXPECT_EQ(third.status(), 429U);
  EXPECT_NE(third.body().find("Too many attempts or messages"), std::string::npos);
  EXPECT_EQ(items(), stored);
}

TEST_P(QuotasTest, BytesPerSourcePerDay) {
  ASSERT_NO_FATAL_FAILURE(open([this](intake::IntakeOptions& options) {
    options.bytes_per_source_per_day = 100'000;
    options.today = [this] { return today_; };
  }));
  first_contact(std::string(60'000, 'a'));
  const std::size_t stored = items();
  Response more = send("/en/inbox", "more", std::string(60'000, 'b'));
  EXPECT_EQ(more.status(), 429U) << more.body();
  EXPECT_EQ(items(), stored);
  // What was refused is not counted: a smaller follow-up still fits.
  EXPECT_EQ(send("/en/inbox", "less", std::string(30'000, 'c')).status(), 303U);
  EXPECT_EQ(send("/en/inbox", "over", std::string(20'000, 'd')).status(), 429U);
  // A new UTC day, a new allowance.
  ++today_;
  EXPECT_EQ(send("/en/inbox", "next day", std::string(60'000, 'e')).status(), 303U);
}

TEST_P(QuotasTest, DailyQuotaMemoryIsBounded) {
  intake::DailyQuota quota(1000, 8);
  store::SourceId heavy{};
  heavy[0] = 0xff;
  ASSERT_TRUE(quota.charge(heavy, 1, 900));
  for (int i = 0; i < 100; ++i) {
    store::SourceId id{};
    id[0] = static_cast<std::uint8_t>(i);
    id[1] = 1;
    ASSERT_TRUE(quota.charge(id, 1, 1));
    EXPECT_LE(quota.tracked(), 8U);
  }
  // The source close to its quota was kept.
  EXPECT_EQ(quota.charge(heavy, 1, 200).error().code(), ErrorCode::kQuotaExceeded);
}

// The disk is "nearly full": the fault-injecting FileSystem has 1 MiB + 300
// KB left, of which 1 MiB is the reserve. A 600 KB upload is refused with
// 507 before the disk fills (no write ever fails), and what is stored stays
// whole and readable.
TEST_P(QuotasTest, FreeSpaceReserveRefusesUploadsWith507) {
  constexpr std::uint64_t kReserve = 1 << 20;
  ASSERT_NO_FATAL_FAILURE(open([this](intake::IntakeOptions& options) {
    options.free_space_reserve_bytes = kReserve;
    options.available_bytes = [this] { return faulty_.available_bytes(stack_.root); };
  }));
  const std::string first_file(50'000, 'f');
  first_contact(first_file);
  const std::size_t stored = items();
  faulty_.set_space_left(kReserve + 300'000);
  const std::int64_t written_before = faulty_.bytes_written();

  Response refused = send("/fa/inbox", "big", std::string(600'000, 'g'));
  EXPECT_EQ(refused.status(), 507U);
  EXPECT_NE(refused.body().find(
                "فضای ذخیره‌سازی این سرویس رو به پایان است"),
            std::string::npos);
  EXPECT_EQ(items(), stored);
  // The refusal came before the disk was full: no write failed, and the
  // reserve was never eaten into.
  EXPECT_GE(faulty_.available_bytes(stack_.root).value(), kReserve - 64 * 1024);
  EXPECT_LT(faulty_.bytes_written() - written_before, 400'000);
  // A declared length over what is left is refused before any byte is read.
  EXPECT_EQ(stack_.intake->check_free_space(400'000).error().code(),
            ErrorCode::kInsufficientStorage);

  // Everything stored before is intact and decrypts.
  auto identities = age::parse_identity_file([&] {
                      std::ifstream in(stack_.root / "data" / "demo-reviewer.key");
                      return std::string(std::istreambuf_iterator<char>(in), {});
                    }())
                        .value();
  const age::Identity* ids[] = {identities[0].get()};
  auto& store = stack_.installation->store();
  const auto cases = store.list_cases({}).value();
  ASSERT_EQ(cases.size(), 1U);
  const auto list = store.list_items(cases[0].case_id).value();
  ASSERT_EQ(list.size(), 2U);
  Bytes content;
  VectorSink sink(content);
  ASSERT_TRUE(intake::read_item(store, list[1].item_id, ids, sink));
  EXPECT_EQ(std::string(content.begin(), content.end()), first_file);
}

TEST_P(QuotasTest, SignInFailuresPerSession) {
  ASSERT_NO_FATAL_FAILURE(open({}));
  const std::string codename = first_contact();
  stack_.source->site.sign_in_failures_per_session = 2;
  cookie_.clear();
  Response login = call(Method::kGet, "/en/login");
  const std::string csrf = csrf_of(login);
  auto try_codename = [&](const std::string& typed) {
    std::string body = "csrf=" + csrf + "&codename=";
    for (char c : typed) body += c == ' ' ? '+' : c;
    return call(Method::kPost, "/en/login", body, "application/x-www-form-urlencoded");
  };
  // A malformed and a wrong (well-formed) codename get the very same page.
  Response malformed = try_codename("not a codename");
  Response wrong =
      try_codename(codename::Codename::generate().render(codename::Language::kEnglish));
  EXPECT_EQ(malformed.status(), wrong.status());
  EXPECT_EQ(malformed.body(), wrong.body());
  // Two failures used up the session's allowance: even the right codename is
  // now refused, and the session ends.
  Response limited = try_codename(codename);
  EXPECT_EQ(limited.status(), 429U);
  EXPECT_NE(limited.header("Set-Cookie")->find("Max-Age=0"), std::string::npos);
  // A new session may try again, and the right codename works.
  cookie_.clear();
  const std::string fresh_csrf = csrf_of(call(Method::kGet, "/en/login"));
  std::string body = "csrf=" + fresh_csrf + "&codename=";
  for (char c : codename) body += c == ' ' ? '+' : c;
  EXPECT_EQ(call(Method::kPost, "/en/login", body, "application/x-www-form-urlencoded").status(),
            303U);
}

INSTANTIATE_TEST_SUITE_P(Engines, QuotasTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::http
