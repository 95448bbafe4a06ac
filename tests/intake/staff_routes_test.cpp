// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/staff_routes_test.cpp: the staff listener's pages and
// /api/staff/ through the Router, on a real installation: the pages load
// only /static/staff.js; enrolment from the link; sign-in sets the staff
// cookie and hands back the identity box (which opens with the unlocking
// key only); the case list and item ciphertexts need a session; export,
// sign-out and sign-out everywhere need the CSRF header and are audited;
// an idle session expires; malformed bodies and wrong content types are
// refused.
#include "http/staff_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "../review/staff_browser.h"
#include "http/staff_api.h"
#include "review/accounts.h"
#include "review/audit.h"
#include "review/base32.h"
#include "review/reviewer_keys.h"
#include "review/totp.h"
#include "review/workflow.h"
#include "source_stack.h"

namespace safehouse::http {
namespace {

namespace json = boost::json;
using review::testing::Browser;
using namespace std::chrono_literals;

constexpr std::string_view kPassphrase = "a long enough passphrase 41";

// The store as the staff accounts see it, with a switch that makes every
// read and commit fail as a lost database does (kUnavailable).
class OutageStore final : public store::Store {
 public:
  explicit OutageStore(store::Store& real) : real_(real) {}
  bool down = false;

  void commit_async(store::WriteBatch batch,
                    std::function<void(Result<store::CommitResult>)> done) override {
    if (down) return done(outage());
    real_.commit_async(std::move(batch), std::move(done));
  }
  Result<store::CommitResult> commit(store::WriteBatch batch) override {
    if (down) return outage();
    return real_.commit(std::move(batch));
  }
  Result<store::SourceRecord> get_source(const store::SourceId& id) override {
    if (down) return outage();
    return real_.get_source(id);
  }
  Result<store::CaseRecord> get_case(store::CaseId id) override {
    if (down) return outage();
    return real_.get_case(id);
  }
  Result<std::vector<store::CaseRecord>> list_cases(const store::CaseQuery& query) override {
    if (down) return outage();
    return real_.list_cases(query);
  }
  Result<store::ItemRecord> get_item(store::ItemId id) override {
    if (down) return outage();
    return real_.get_item(id);
  }
  Result<std::vector<store::ItemRecord>> list_items(store::CaseId id) override {
    if (down) return outage();
    return real_.list_items(id);
  }
  Result<std::unique_ptr<ByteSource>> open_item_body(store::ItemId id) override {
    if (down) return outage();
    return real_.open_item_body(id);
  }
  Result<Bytes> read_item_body(store::ItemId id, std::size_t max_bytes) override {
    if (down) return outage();
    return real_.read_item_body(id, max_bytes);
  }
  Result<Bytes> get_setting(const std::string& key) override {
    if (down) return outage();
    return real_.get_setting(key);
  }
  Result<void> read(const std::function<Result<void>(store::SqlSession&)>& fn) override {
    if (down) return outage();
    return real_.read(fn);
  }
  store::BlobStore& blobs() override { return real_.blobs(); }
  store::StoreStats stats() override { return real_.stats(); }

 private:
  static Error outage() { return Error(ErrorCode::kUnavailable, "database unavailable (test)"); }
  store::Store& real_;
};

class StaffRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(stack_.open("Staff Org", false, 8 << 20));
    store_ = &stack_.installation->store();
    installation_ = stack_.installation->verifier_key();
    workflow_ = std::make_unique<review::Workflow>(*store_, installation_,
                                                   [this] { return store::day_of(now_); });
    ASSERT_TRUE(workflow_->add_reviewer("alice", review::ReviewerKeys::generate(), "admin"));
    auto link = review::issue_enrolment(*store_, "alice", true, "admin", store::day_of(now_));
    ASSERT_TRUE(link);
    token_ = link->token;
    outage_ = std::make_unique<OutageStore>(*store_);
    accounts_ = std::make_unique<review::StaffAccounts>(*outage_, crypto::SecretBytes::random(32),
                                                        [this] { return now_; });
    sessions_ = std::make_unique<SessionStore>(15min, [this] { return steady_; });
    context_ = std::make_unique<StaffContext>(StaffContext{*stack_.intake, *stack_.renderer,
                                                           nullptr, accounts_.get(),
                                                           sessions_.get(), store_, installation_});
    add_staff_routes(router_, *context_);
    randombytes_buf(totp_secret_.data(), totp_secret_.size());
  }

  Response send(Method method, const std::string& target, std::string body = {},
                HeaderMap headers = {}) {
    auto request = Request::create(method, target, std::move(headers), std::move(body));
    EXPECT_TRUE(request);
    return router_.handle(*request);
  }
  Response post_json(const std::string& target, const json::object& body, HeaderMap headers = {}) {
    headers["content-type"] = "application/json";
    return send(Method::kPost, target, json::serialize(body), std::move(headers));
  }
  static json::object parse(const Response& response) {
    return json::parse(response.body()).as_object();
  }
  std::string code() {
    return review::totp_code(
               totp_secret_,
               std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count())
        .value();
  }

  void enrol() {
    auto [auth, unlock] = Browser::stretch(kPassphrase, installation_, "alice");
    unlock_ = unlock;
    const crypto::SecretBytes identity = keys_.identity().to_string();
    Response enrolled = post_json(
        "/api/staff/enrol",
        {{"token", token_},
         {"auth_key", encode_base64(auth)},
         {"identity_box", encode_base64(Browser::box(unlock, "alice", identity.reveal()))},
         {"recipient", keys_.recipient()},
         {"signing_key", encode_base64(keys_.signing_key())},
         {"totp_secret", review::base32_encode(totp_secret_)},
         {"totp_code", code()}});
    ASSERT_EQ(enrolled.status(), 200u) << enrolled.body();
    now_ += 30s;
  }
  struct SignedIn {
    std::string cookie;  // "safehouse_staff=…"
    std::string csrf;
    Bytes identity_box;
  };
  SignedIn sign_in() {
    Response response = post_json(
        "/api/staff/login",
        {{"name", "alice"},
         {"auth_key", encode_base64(Browser::stretch(kPassphrase, installation_, "alice").first)},
         {"totp_code", code()}});
    now_ += 30s;
    EXPECT_EQ(response.status(), 200u) << response.body();
    if (response.status() != 200) return {};
    const auto set_cookie = response.header("Set-Cookie");
    EXPECT_TRUE(set_cookie);
    const auto object = parse(response);
    SignedIn out;
    out.cookie = match(std::string(set_cookie.value_or("")), "^(safehouse_staff=[0-9a-f]{64});");
    out.csrf = std::string(object.at("csrf").as_string());
    out.identity_box = decode_base64(std::string(object.at("identity_box").as_string())).value();
    EXPECT_FALSE(out.cookie.empty());
    return out;
  }
  // A response body, read out of its stream if it has one.
  static std::string body_of(const Response& response) {
    if (!response.body_source()) return response.body();
    std::string out;
    Bytes chunk(4096);
    for (;;) {
      auto n = response.body_source()->read(chunk);
      EXPECT_TRUE(n);
      if (!n || *n == 0) break;
      out.append(reinterpret_cast<const char*>(chunk.data()), *n);
    }
    EXPECT_EQ(out.size(), response.body_source_length());
    return out;
  }
  std::string last_audit() {
    std::string out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      auto e = SAFEHOUSE_TRY(store::last_audit(db));
      if (e) out = e->actor + " " + e->action + " " + e->detail;
      return {};
    }));
    return out;
  }
  store::CaseId first_contact() {
    store::SourceId source{};
    source[0] = 9;
    store::WriteBatch batch;
    batch.create_source(source, "amber-heron", store::day_of(now_));
    const std::size_t op = batch.create_case(source, store::day_of(now_));
    batch.add_item(store::CaseRef::created_by(op), store::Direction::kSource,
                   store::InlineBody{Bytes(100, 7)}, store::day_of(now_));
    auto committed = store_->commit(std::move(batch));
    EXPECT_TRUE(committed);
    return committed ? committed->id(op) : 0;
  }

  SourceStack stack_;
  store::Store* store_ = nullptr;
  std::string installation_;
  std::unique_ptr<review::Workflow> workflow_;
  std::string token_;
  std::unique_ptr<OutageStore> outage_;
  std::unique_ptr<review::StaffAccounts> accounts_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<StaffContext> context_;
  Router router_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point steady_ = std::chrono::steady_clock::now();
  review::ReviewerKeys keys_ = review::ReviewerKeys::generate();
  Bytes totp_secret_ = Bytes(20);
  Bytes unlock_;
};

TEST_F(StaffRoutesTest, PagesLoadOnlyTheStaffScript) {
  Response home = send(Method::kGet, "/");
  EXPECT_EQ(home.status(), 303u);
  EXPECT_EQ(home.header("Location").value_or(""), "/en/");
  for (const char* path : {"/en/", "/fa/", "/en/enrol", "/fa/enrol"}) {
    Response page = send(Method::kGet, path);
    ASSERT_EQ(page.status(), 200u) << path;
    EXPECT_NE(page.body().find(R"(<script src="/static/staff.js" defer></script>)"),
              std::string::npos);
    EXPECT_EQ(page.body().find("<script>"), std::string::npos) << "no inline script";
    EXPECT_NE(page.body().find("data-installation=\"" + installation_ + "\""), std::string::npos);
  }
  EXPECT_NE(send(Method::kGet, "/fa/").body().find(R"(dir="rtl")"), std::string::npos);
  EXPECT_EQ(send(Method::kGet, "/de/").status(), 404u);
  Response script = send(Method::kGet, "/static/staff.js");
  ASSERT_EQ(script.status(), 200u);
  EXPECT_EQ(script.content_type(), "text/javascript; charset=utf-8");
  EXPECT_NE(script.body().find("SafehouseStaff"), std::string::npos);
  EXPECT_EQ(send(Method::kGet, "/metrics").status(), 200u);
}

TEST_F(StaffRoutesTest, EnrolSignInListCasesExportAndSignOut) {
  Response checked = post_json("/api/staff/enrol/check", {{"token", token_}});
  ASSERT_EQ(checked.status(), 200u) << checked.body();
  EXPECT_EQ(parse(checked).at("name").as_string(), "alice");
  EXPECT_TRUE(parse(checked).at("keys_replaceable").as_bool());
  ASSERT_NO_FATAL_FAILURE(enrol());
  // The link is used up.
  Response again = post_json("/api/staff/enrol/check", {{"token", token_}});
  EXPECT_EQ(again.status(), 404u);
  EXPECT_EQ(parse(again).at("error").as_string(), "invalid-link");

  const store::CaseId case_id = first_contact();
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases").status(), 401u);
  const SignedIn alice = sign_in();
  EXPECT_EQ(last_audit(), "alice login ");
  const auto identity = Browser::open(unlock_, "alice", alice.identity_box);
  ASSERT_TRUE(identity);
  EXPECT_EQ(*identity,
            std::string(reinterpret_cast<const char*>(keys_.identity().to_string().reveal().data()),
                        keys_.identity().to_string().reveal().size()));

  const HeaderMap cookie{{"cookie", alice.cookie}};
  Response cases = send(Method::kGet, "/api/staff/cases?status=received", {}, cookie);
  ASSERT_EQ(cases.status(), 200u) << cases.body();
  const auto list = parse(cases).at("cases").as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& first = list[0].as_object();
  EXPECT_EQ(first.at("id").as_int64(), case_id);
  EXPECT_EQ(first.at("status").as_string(), "received");
  EXPECT_EQ(first.at("alias").as_string(), "amber-heron");
  EXPECT_EQ(first.at("items").as_array().size(), 1u);
  EXPECT_EQ(parse(send(Method::kGet, "/api/staff/cases?status=verified", {}, cookie))
                .at("cases")
                .as_array()
                .size(),
            0u);
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases?status=nonsense", {}, cookie).status(), 400u);
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases?limit=0", {}, cookie).status(), 400u);

  const std::int64_t item_id = first.at("items").as_array()[0].as_object().at("id").as_int64();
  Response item = send(Method::kGet, "/api/staff/items/" + std::to_string(item_id), {}, cookie);
  ASSERT_EQ(item.status(), 200u);
  EXPECT_NE(item.body_source(), nullptr);  // streamed, never held whole
  EXPECT_EQ(body_of(item), std::string(100, '\x07'));
  EXPECT_EQ(last_audit(), "alice download item " + std::to_string(item_id));
  EXPECT_EQ(send(Method::kGet, "/api/staff/items/999", {}, cookie).status(), 404u);

  // Export and sign-out need the CSRF header.
  EXPECT_EQ(post_json("/api/staff/export", {}, cookie).status(), 401u);
  HeaderMap with_csrf = cookie;
  with_csrf["x-csrf-token"] = alice.csrf;
  EXPECT_EQ(post_json("/api/staff/export", {}, with_csrf).status(), 200u);
  EXPECT_EQ(last_audit(), "alice export identity");
  Response out = post_json("/api/staff/logout", {}, with_csrf);
  EXPECT_EQ(out.status(), 200u);
  EXPECT_NE(out.header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(last_audit(), "alice logout ");
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 401u);
}

TEST_F(StaffRoutesTest, SignOutEverywhereEndsEverySessionOfTheReviewer) {
  ASSERT_NO_FATAL_FAILURE(enrol());
  const SignedIn laptop = sign_in();
  const SignedIn phone = sign_in();
  ASSERT_NE(laptop.cookie, phone.cookie);
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, {{"cookie", laptop.cookie}}).status(), 200u);
  Response out = post_json("/api/staff/logout-everywhere", {},
                           {{"cookie", phone.cookie}, {"x-csrf-token", phone.csrf}});
  ASSERT_EQ(out.status(), 200u);
  EXPECT_EQ(parse(out).at("ended").as_int64(), 2);
  EXPECT_EQ(last_audit(), "alice logout-everywhere 2 sessions");
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, {{"cookie", laptop.cookie}}).status(), 401u);
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, {{"cookie", phone.cookie}}).status(), 401u);
}

// `reviewer remove` runs in another process than the server: the server is
// not told, so it must check on every request.
TEST_F(StaffRoutesTest, ARemovedReviewerIsSignedOutEverywhereAtOnce) {
  ASSERT_NO_FATAL_FAILURE(enrol());
  const store::CaseId case_id = first_contact();
  const SignedIn laptop = sign_in();
  const SignedIn phone = sign_in();
  const HeaderMap cookie{{"cookie", laptop.cookie}};
  ASSERT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 200u);
  ASSERT_EQ(send(Method::kGet, "/api/staff/items/1", {}, cookie).status(), 200u);
  ASSERT_TRUE(workflow_->remove_reviewer("alice", "admin"));
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 401u);
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases/" + std::to_string(case_id), {}, cookie).status(),
            401u);
  EXPECT_EQ(send(Method::kGet, "/api/staff/items/1", {}, {{"cookie", phone.cookie}}).status(),
            401u);
  EXPECT_EQ(
      post_json("/api/staff/export", {}, {{"cookie", phone.cookie}, {"x-csrf-token", phone.csrf}})
          .status(),
      401u);
  EXPECT_EQ(sessions_->destroy_owner("alice"), 0u);  // both sessions are gone
}

// While the database cannot say whether a reviewer may stay signed in, a
// request is answered 503 "unavailable", not 401: the page must not sign
// the reviewer out, and the session is still there once the database is.
TEST_F(StaffRoutesTest, ADatabaseOutageIsUnavailableNotSignedOut) {
  ASSERT_NO_FATAL_FAILURE(enrol());
  first_contact();
  const SignedIn alice = sign_in();
  const HeaderMap cookie{{"cookie", alice.cookie}};
  ASSERT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 200u);
  outage_->down = true;
  const Response listed = send(Method::kGet, "/api/staff/cases", {}, cookie);
  EXPECT_EQ(listed.status(), 503u);
  EXPECT_EQ(parse(listed).at("error").as_string(), "unavailable");
  EXPECT_EQ(send(Method::kGet, "/api/staff/items/1", {}, cookie).status(), 503u);
  EXPECT_EQ(
      post_json("/api/staff/export", {}, {{"cookie", alice.cookie}, {"x-csrf-token", alice.csrf}})
          .status(),
      503u);
  // Without a session it is still "signed out", outage or not.
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases").status(), 401u);
  outage_->down = false;
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 200u);
  EXPECT_EQ(send(Method::kGet, "/api/staff/items/1", {}, cookie).status(), 200u);
}

// A new enrolment link (a lost or seized device) ends the old sessions too.
TEST_F(StaffRoutesTest, ANewEnrolmentLinkEndsTheOldSessions) {
  ASSERT_NO_FATAL_FAILURE(enrol());
  const SignedIn alice = sign_in();
  const HeaderMap cookie{{"cookie", alice.cookie}};
  ASSERT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 200u);
  ASSERT_TRUE(review::issue_enrolment(*store_, "alice", true, "admin", store::day_of(now_)));
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, cookie).status(), 401u);
}

TEST_F(StaffRoutesTest, IdleSessionsExpire) {
  ASSERT_NO_FATAL_FAILURE(enrol());
  const SignedIn alice = sign_in();
  steady_ += 14min;
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, {{"cookie", alice.cookie}}).status(), 200u);
  steady_ += 16min;
  EXPECT_EQ(send(Method::kGet, "/api/staff/cases", {}, {{"cookie", alice.cookie}}).status(), 401u);
}

TEST_F(StaffRoutesTest, WrongInputIsRefusedWithAWordThePageTranslates) {
  ASSERT_NO_FATAL_FAILURE(enrol());
  Response wrong = post_json(
      "/api/staff/login",
      {{"name", "alice"},
       {"auth_key", encode_base64(Browser::stretch("not it", installation_, "alice").first)},
       {"totp_code", code()}});
  EXPECT_EQ(wrong.status(), 401u);
  EXPECT_EQ(parse(wrong).at("error").as_string(), "wrong");
  EXPECT_EQ(wrong.header("Set-Cookie"), std::nullopt);
  // Straight away again: throttled.
  Response throttled = post_json(
      "/api/staff/login",
      {{"name", "alice"},
       {"auth_key", encode_base64(Browser::stretch(kPassphrase, installation_, "alice").first)},
       {"totp_code", code()}});
  EXPECT_EQ(throttled.status(), 429u);
  EXPECT_EQ(parse(throttled).at("error").as_string(), "throttled");

  EXPECT_EQ(send(Method::kPost, "/api/staff/login", R"({"name":"alice"})",
                 {{"content-type", "text/plain"}})
                .status(),
            415u);
  for (const char* body : {"", "{", "[]", R"({"name":"alice"})",
                           R"({"name":"alice","auth_key":"AA==","totp_code":"1"})",
                           R"({"name":1,"auth_key":"","totp_code":""})",
                           R"({"name":"a","auth_key":"","totp_code":"","extra":""})"}) {
    Response bad =
        send(Method::kPost, "/api/staff/login", body, {{"content-type", "application/json"}});
    EXPECT_EQ(bad.status(), 400u) << body;
  }
  EXPECT_EQ(post_json("/api/staff/enrol/check", {{"token", std::string(64, '0')}}).status(), 404u);
}

TEST(StaffApiParse, ApprovalNamesTheCaseADuplicateRepeatsAndOnlyThen) {
  const std::string signature(88, 'A');  // 64 zero bytes in base64
  auto body = [&](std::string_view to, std::string_view of) {
    return R"({"from":"received","to":")" + std::string(to) + R"(","event":"3","signature":")" +
           signature.substr(0, 86) + R"(==","duplicate_of":")" + std::string(of) + R"("})";
  };
  auto linked = parse_approval_request(body("duplicate", "17"));
  ASSERT_TRUE(linked) << linked.error().message();
  EXPECT_EQ(linked->duplicate_of, std::optional<store::CaseId>(17));
  EXPECT_EQ(linked->event_number, 3);
  auto plain = parse_approval_request(body("triage", ""));
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_FALSE(plain->duplicate_of);
  EXPECT_TRUE(parse_approval_request(body("duplicate", "")));  // as the CLI without --of
  for (auto [to, of] : std::initializer_list<std::pair<const char*, const char*>>{
           {"triage", "17"},
           {"duplicate", "0"},
           {"duplicate", "017"},
           {"duplicate", "-1"},
           {"duplicate", "x"},
           {"duplicate", "1 "},
           {"duplicate", "99999999999999999999"}}) {
    auto parsed = parse_approval_request(body(to, of));
    EXPECT_FALSE(parsed) << to << " " << of;
    if (!parsed) EXPECT_NE(parsed.error().message().find("duplicate_of"), std::string::npos);
  }
}

TEST(StaffApiParse, Base64IsCanonical) {
  EXPECT_EQ(decode_base64("AAEC").value(), (Bytes{0, 1, 2}));
  EXPECT_EQ(decode_base64("AA==").value(), (Bytes{0}));
  EXPECT_EQ(decode_base64("").value(), Bytes());
  for (const char* bad : {"AB==", "AA=", "AA", "A===", "AA==AA==", "AA\n==", "AA-_", "****"}) {
    EXPECT_FALSE(decode_base64(bad)) << bad;
  }
}

}  // namespace
}  // namespace safehouse::http
