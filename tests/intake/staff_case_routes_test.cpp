// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/staff_case_routes_test.cpp: the workspace's case routes
// (http/staff_case_routes.cpp) through the Router, on a real installation,
// on both engines: the case list in one query with its filters (status,
// category, grade); a case's allowed moves; approvals signed as the browser
// signs them (the approval message of review/reviewer_keys.h) taking a
// case to verified with two different reviewers — and the attacks refused
// and audited: approving twice, approving one's own decisive check, a
// replayed approval, a forged or other-case signature, a removed reviewer,
// a missing CSRF header; replies and assessments sealed by the browser,
// checked, stored, versioned and audited.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "age/age.h"
#include "age/x25519.h"
#include "http/staff_api.h"
#include "http/staff_routes.h"
#include "review/accounts.h"
#include "review/audit.h"
#include "review/cases.h"
#include "review/reviewer_keys.h"
#include "review/workflow.h"
#include "source_stack.h"
#include "store/staff_records.h"

namespace safehouse::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using store::testing::Engine;

struct Reviewer {
  std::string name;
  review::ReviewerKeys keys = review::ReviewerKeys::generate();
  std::string cookie;
  std::string csrf;
};

class StaffCaseRoutesTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    stack_.engine = GetParam();
    ASSERT_NO_FATAL_FAILURE(stack_.open("Staff Org", false, 8 << 20));
    store_ = &stack_.installation->store();
    installation_ = stack_.installation->verifier_key();
    workflow_ = std::make_unique<review::Workflow>(
        *store_, installation_, [] { return store::day_of(std::chrono::system_clock::now()); });
    accounts_ = std::make_unique<review::StaffAccounts>(*store_, crypto::SecretBytes::random(32));
    sessions_ = std::make_unique<SessionStore>(15min);
    context_ = std::make_unique<StaffContext>(
        StaffContext{*stack_.intake,
                     *stack_.renderer,
                     nullptr,
                     accounts_.get(),
                     sessions_.get(),
                     store_,
                     installation_,
                     workflow_.get(),
                     {"army", "guard", "police", "intelligence", "other"},
                     [this]() -> Result<std::vector<std::string>> {
                       return stack_.installation->recipient_strings();
                     }});
    add_staff_routes(router_, *context_);
    for (const char* name : {"alice", "bob", "carol", "dave"}) {
      auto& r = reviewers_[name];
      r.name = name;
      ASSERT_TRUE(workflow_->add_reviewer(name, r.keys, "admin"));
      // Signed in (sign-in itself: staff_routes_test.cpp).
      auto session = sessions_->create(nullptr, {}, name);
      ASSERT_TRUE(session);
      r.cookie = "safehouse_staff=" + session->token;
      r.csrf = session->csrf_token;
    }
  }

  Response send(Method method, const std::string& target, std::string body = {},
                HeaderMap headers = {}) {
    auto request = Request::create(method, target, std::move(headers), std::move(body));
    EXPECT_TRUE(request);
    return router_.handle(*request);
  }
  Response get(const Reviewer& r, const std::string& target) {
    return send(Method::kGet, target, {}, {{"cookie", r.cookie}});
  }
  Response post(const Reviewer& r, const std::string& target, const json::object& body,
                bool with_csrf = true) {
    HeaderMap headers{{"cookie", r.cookie}, {"content-type", "application/json"}};
    if (with_csrf) headers["x-csrf-token"] = r.csrf;
    return send(Method::kPost, target, json::serialize(body), std::move(headers));
  }
  static json::object parse(const Response& response) {
    return json::parse(response.body()).as_object();
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

  // A first contact as the JavaScript client makes it: a source with a
  // reply recipient, a case and `items` items.
  store::CaseId first_contact(int items = 1) {
    store::SourceId source{};
    randombytes_buf(source.data(), source.size());
    store::WriteBatch batch;
    const store::Day today = store::day_of(std::chrono::system_clock::now());
    batch.create_source(source, "amber-heron", today, reply_identity_.recipient().to_string(), {});
    const std::size_t op = batch.create_case(source, today);
    for (int i = 0; i < items; ++i) {
      batch.add_item(store::CaseRef::created_by(op), store::Direction::kSource,
                     store::InlineBody{Bytes(100, static_cast<std::uint8_t>(i + 1))}, today);
    }
    auto committed = store_->commit(std::move(batch));
    EXPECT_TRUE(committed);
    return committed ? committed->id(op) : 0;
  }

  // What the browser signs and sends to approve moving `case_id` to `to`,
  // reading the case's state through the API as the page does.
  json::object approval(const Reviewer& r, store::CaseId case_id, std::string_view to) {
    Response c = get(r, "/api/staff/cases/" + std::to_string(case_id));
    EXPECT_EQ(c.status(), 200u) << c.body();
    const auto object = parse(c).at("case").as_object();
    const std::int64_t event = object.at("event").as_int64();
    const std::string from(object.at("status").as_string());
    const std::string signed_installation(parse(c).at("installation").as_string());
    const std::string message = review::approval_message({signed_installation, case_id, event,
                                                          store::status_from_name(from).value(),
                                                          store::status_from_name(to).value()});
    return json::object{{"from", from},
                        {"to", to},
                        {"event", std::to_string(event)},
                        {"signature", encode_base64(r.keys.sign(as_bytes(message)))},
                        {"duplicate_of", ""}};
  }
  Response approve(const Reviewer& r, store::CaseId case_id, const json::object& body) {
    return post(r, "/api/staff/cases/" + std::to_string(case_id) + "/approve", body);
  }
  Response approve(const Reviewer& r, store::CaseId case_id, std::string_view to) {
    return approve(r, case_id, approval(r, case_id, to));
  }
  std::string status_of(store::CaseId case_id) {
    return std::string(store::status_name(store_->get_case(case_id)->status));
  }

  // An age file of `text` to the recipient set, and to the source too.
  Bytes sealed(std::string_view text, bool to_source) {
    std::vector<const age::Recipient*> recipients(stack_.intake->recipients().begin(),
                                                  stack_.intake->recipients().end());
    const age::X25519Recipient source = reply_identity_.recipient();
    if (to_source) recipients.push_back(&source);
    Bytes out;
    VectorSink sink(out);
    auto encryptor = age::encrypt(recipients, sink).value();
    EXPECT_TRUE(encryptor->write(as_bytes(text)));
    EXPECT_TRUE(encryptor->finish());
    return out;
  }

  SourceStack stack_;
  store::Store* store_ = nullptr;
  std::string installation_;
  std::unique_ptr<review::Workflow> workflow_;
  std::unique_ptr<review::StaffAccounts> accounts_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<StaffContext> context_;
  Router router_;
  std::map<std::string, Reviewer> reviewers_;
  age::X25519Identity reply_identity_ = age::X25519Identity::generate();
};

TEST_P(StaffCaseRoutesTest, TwoReviewersTakeACaseToVerifiedAndShortcutsAreRefused) {
  Reviewer& alice = reviewers_["alice"];
  Reviewer& bob = reviewers_["bob"];
  Reviewer& carol = reviewers_["carol"];
  Reviewer& dave = reviewers_["dave"];
  const store::CaseId id = first_contact();
  const store::CaseId other = first_contact();

  Response c = get(alice, "/api/staff/cases/" + std::to_string(id));
  ASSERT_EQ(c.status(), 200u) << c.body();
  // Who opened which case is on the audit log.
  EXPECT_EQ(last_audit(), "alice open-case case " + std::to_string(id));
  EXPECT_EQ(get(alice, "/api/staff/cases/999").status(), 404u);
  EXPECT_EQ(last_audit(), "alice open-case case " + std::to_string(id));
  // The moves the server's table allows from received, with their approvals.
  std::map<std::string, std::int64_t> moves;
  const json::object state = parse(c);
  for (const auto& m : state.at("moves").as_array()) {
    moves[std::string(m.as_object().at("to").as_string())] =
        m.as_object().at("approvals").as_int64();
  }
  EXPECT_EQ(moves, (std::map<std::string, std::int64_t>{{"triage", 1},
                                                        {"rejected", 2},
                                                        {"duplicate", 1},
                                                        {"withdrawn", 1},
                                                        {"suspected-infiltration", 1}}));
  EXPECT_EQ(parse(c).at("reply_recipient").as_string(), reply_identity_.recipient().to_string());

  // A shortcut the table does not have.
  Response shortcut = approve(alice, id, "verified");
  EXPECT_EQ(shortcut.status(), 409u) << shortcut.body();
  EXPECT_NE(std::string(parse(shortcut).at("reason").as_string()).find("no transition"),
            std::string::npos);
  EXPECT_EQ(last_audit().substr(0, 14), "alice refused ");

  const json::object old_approval = approval(alice, id, "triage");
  ASSERT_EQ(approve(alice, id, old_approval).status(), 200u);
  EXPECT_EQ(status_of(id), "triage");
  ASSERT_EQ(approve(bob, id, "verifying").status(), 200u);
  ASSERT_EQ(approve(carol, id, "corroborated").status(), 200u);
  EXPECT_EQ(status_of(id), "corroborated");

  // A replayed approval (signed at event 1) does not verify... as stale.
  Response replay = approve(alice, id, old_approval);
  EXPECT_EQ(replay.status(), 409u) << replay.body();
  EXPECT_NE(std::string(parse(replay).at("reason").as_string()).find("stale"), std::string::npos);
  // Carol recorded the decisive check: she cannot approve verified.
  Response own = approve(carol, id, "verified");
  EXPECT_EQ(own.status(), 409u) << own.body();
  EXPECT_NE(std::string(parse(own).at("reason").as_string()).find("decisive check"),
            std::string::npos);
  EXPECT_EQ(last_audit().substr(0, 14), "carol refused ");
  // A forged signature, and one made for another case.
  json::object forged = approval(alice, id, "verified");
  forged["signature"] = encode_base64(Bytes(64, 1));
  EXPECT_EQ(approve(alice, id, forged).status(), 403u);
  json::object for_other = approval(alice, other, "triage");
  for_other["from"] = "corroborated";
  for_other["to"] = "verified";
  Response wrong_case = approve(alice, id, for_other);
  EXPECT_EQ(wrong_case.status(), 403u) << wrong_case.body();
  EXPECT_EQ(parse(wrong_case).at("error").as_string(), "bad-signature");
  // Bob's signature handed in by Alice's session: not Alice's key.
  EXPECT_EQ(approve(alice, id, approval(bob, id, "verified")).status(), 403u);
  // No CSRF header: refused before anything happens.
  EXPECT_EQ(post(alice, "/api/staff/cases/" + std::to_string(id) + "/approve",
                 approval(alice, id, "verified"), false)
                .status(),
            401u);

  // First approval of verified: recorded, not moved.
  Response first = approve(alice, id, "verified");
  ASSERT_EQ(first.status(), 200u) << first.body();
  EXPECT_EQ(parse(first).at("approvals").as_int64(), 1);
  EXPECT_EQ(parse(first).at("needed").as_int64(), 2);
  EXPECT_FALSE(parse(first).at("moved").as_bool());
  EXPECT_EQ(status_of(id), "corroborated");
  EXPECT_EQ(
      parse(get(bob, "/api/staff/cases/" + std::to_string(id))).at("approvals").as_array().size(),
      1u);
  // The same reviewer again counts once: refused.
  Response twice = approve(alice, id, "verified");
  EXPECT_EQ(twice.status(), 409u);
  EXPECT_NE(std::string(parse(twice).at("reason").as_string()).find("already approved"),
            std::string::npos);
  // A removed reviewer's approval, signed while still a reviewer: the
  // removal ended the session, and the attempt is logged.
  const json::object dave_approval = approval(dave, id, "verified");
  ASSERT_TRUE(workflow_->remove_reviewer("dave", "admin"));
  EXPECT_EQ(approve(dave, id, dave_approval).status(), 401u);
  EXPECT_EQ(last_audit(), "dave refused session ended: no longer an active, enrolled reviewer");
  EXPECT_EQ(status_of(id), "corroborated");

  // A second, different reviewer: verified.
  Response second = approve(bob, id, "verified");
  ASSERT_EQ(second.status(), 200u) << second.body();
  EXPECT_TRUE(parse(second).at("moved").as_bool());
  EXPECT_EQ(status_of(id), "verified");
  EXPECT_EQ(last_audit().substr(0, 16), "bob transition c");
  EXPECT_EQ(status_of(other), "received");
  // The audit chain holds every action and refusal.
  const auto report = review::verify_audit(*store_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->first_broken) << report->reason;
}

TEST_P(StaffCaseRoutesTest, RepliesSealedInTheBrowserAreCheckedStoredAndAudited) {
  Reviewer& alice = reviewers_["alice"];
  const store::CaseId id = first_contact();
  const std::string path = "/api/staff/cases/" + std::to_string(id) + "/reply";
  // Not to the source as well: the wrong number of stanzas.
  Response bad = post(alice, path, {{"age", encode_base64(sealed("hello", false))}});
  EXPECT_EQ(bad.status(), 400u);
  EXPECT_EQ(post(alice, path, {{"age", "not base64"}}).status(), 400u);
  EXPECT_EQ(post(alice, path, {{"age", encode_base64(sealed("hi", true))}}, false).status(), 401u);
  EXPECT_EQ(post(alice, "/api/staff/cases/999/reply", {{"age", encode_base64(sealed("x", true))}})
                .status(),
            404u);

  const Bytes reply = sealed("We read your message. Please tell us more.", true);
  Response ok = post(alice, path, {{"age", encode_base64(reply)}});
  ASSERT_EQ(ok.status(), 200u) << ok.body();
  const std::int64_t item = parse(ok).at("item").as_int64();
  EXPECT_EQ(last_audit(), "alice reply item " + std::to_string(item));
  // The source's client gets it among its replies, as stored.
  EXPECT_EQ(store_->read_item_body(item, 1 << 20).value(), reply);
  const auto listed = parse(get(alice, "/api/staff/cases/" + std::to_string(id)));
  const auto& items = listed.at("case").as_object().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].as_object().at("direction").as_string(), "reviewer");
  // A large reply goes to a blob.
  const Bytes big = sealed(std::string(200 * 1024, 'r'), true);
  Response large = post(alice, path, {{"age", encode_base64(big)}});
  ASSERT_EQ(large.status(), 200u) << large.body();
  EXPECT_EQ(store_->read_item_body(parse(large).at("item").as_int64(), 1 << 20).value(), big);
  // A reviewer removed while signed in can no longer reply.
  ASSERT_TRUE(workflow_->remove_reviewer("alice", "admin"));
  EXPECT_EQ(post(alice, path, {{"age", encode_base64(reply)}}).status(), 401u);
}

TEST_P(StaffCaseRoutesTest, AssessmentsAreVersionedAndTheListFiltersByCategoryAndGrade) {
  Reviewer& alice = reviewers_["alice"];
  Reviewer& bob = reviewers_["bob"];
  const store::CaseId a = first_contact(2);
  const store::CaseId b = first_contact(0);
  const store::CaseId c = first_contact(3);
  const std::string path = "/api/staff/cases/" + std::to_string(a) + "/assess";
  const Bytes record = sealed(R"({"reliability":"B","credibility":"2","notes":"..."})", false);
  json::object body{{"reliability", "B"},
                    {"credibility", "2"},
                    {"category", "police"},
                    {"sealed", encode_base64(record)}};
  Response first = post(alice, path, body);
  ASSERT_EQ(first.status(), 200u) << first.body();
  EXPECT_EQ(parse(first).at("version").as_int64(), 1);
  EXPECT_EQ(last_audit(), "alice assess version 1, B2, category police");

  for (auto [member, value] :
       std::initializer_list<std::pair<const char*, const char*>>{{"reliability", "G"},
                                                                  {"reliability", "b"},
                                                                  {"credibility", "7"},
                                                                  {"credibility", "0"},
                                                                  {"credibility", "02"},
                                                                  {"sealed", ""}}) {
    json::object wrong = body;
    wrong[member] = value;
    EXPECT_EQ(post(bob, path, wrong).status(), 400u) << member << "=" << value;
  }
  json::object unknown_category = body;
  unknown_category["category"] = "navy";
  EXPECT_EQ(post(bob, path, unknown_category).status(), 400u);
  json::object not_sealed = body;
  not_sealed["sealed"] = encode_base64(Bytes(200, 1));
  EXPECT_EQ(post(bob, path, not_sealed).status(), 400u);
  EXPECT_EQ(post(bob, path, body, false).status(), 401u);

  // Bob's new version: F6, the category left as it is.
  json::object again = body;
  again["reliability"] = "F";
  again["credibility"] = "6";
  again["category"] = "";
  Response second = post(bob, path, again);
  ASSERT_EQ(second.status(), 200u) << second.body();
  EXPECT_EQ(parse(second).at("version").as_int64(), 2);
  const auto one = parse(get(alice, "/api/staff/cases/" + std::to_string(a)));
  const auto& versions = one.at("assessments").as_array();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].as_object().at("reviewer").as_string(), "alice");
  EXPECT_EQ(versions[0].as_object().at("grade").as_string(), "B2");
  EXPECT_EQ(decode_base64(versions[0].as_object().at("sealed").as_string()).value(), record);
  EXPECT_EQ(versions[1].as_object().at("reviewer").as_string(), "bob");
  EXPECT_EQ(one.at("case").as_object().at("grade").as_string(), "F6");
  EXPECT_EQ(one.at("case").as_object().at("category").as_string(), "police");

  auto ids = [&](const std::string& query) {
    Response r = get(alice, "/api/staff/cases" + query);
    EXPECT_EQ(r.status(), 200u) << query << r.body();
    std::vector<std::int64_t> out;
    if (r.status() != 200u) return out;
    const json::object listed = parse(r);
    for (const auto& x : listed.at("cases").as_array()) {
      out.push_back(x.as_object().at("id").as_int64());
    }
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::int64_t>{a, b, c}));
  EXPECT_EQ(ids("?grade=F6"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("?grade=B2"), (std::vector<std::int64_t>{}));
  EXPECT_EQ(ids("?grade="), (std::vector<std::int64_t>{b, c}));
  EXPECT_EQ(ids("?category=police"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("?category=army"), (std::vector<std::int64_t>{}));
  EXPECT_EQ(ids("?category=&status=received"), (std::vector<std::int64_t>{b, c}));
  EXPECT_EQ(ids("?status=received&grade=F6&category=police"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("?after=" + std::to_string(a) + "&limit=1"), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(get(alice, "/api/staff/cases?category=navy").status(), 400u);
  EXPECT_EQ(get(alice, "/api/staff/cases?grade=G1").status(), 400u);
  EXPECT_EQ(get(alice, "/api/staff/cases?grade=A7").status(), 400u);
  // Items are grouped under their case, in order, from the one query.
  const auto list = parse(get(alice, "/api/staff/cases")).at("cases").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].as_object().at("items").as_array().size(), 2u);
  EXPECT_EQ(list[1].as_object().at("items").as_array().size(), 0u);
  EXPECT_EQ(list[2].as_object().at("items").as_array().size(), 3u);
  EXPECT_EQ(list[0].as_object().at("assessments").as_int64(), 2);
  EXPECT_EQ(list[0].as_object().at("event").as_int64(), 1);
}

// The page links a duplicate to the case it repeats, as `review transition
// duplicate --of` does, through the same Workflow checks.
TEST_P(StaffCaseRoutesTest, ADuplicateIsLinkedToTheCaseItRepeats) {
  Reviewer& alice = reviewers_["alice"];
  const store::CaseId original = first_contact();
  const store::CaseId copy = first_contact();
  const store::CaseId third = first_contact();

  json::object to_itself = approval(alice, copy, "duplicate");
  to_itself["duplicate_of"] = std::to_string(copy);
  Response refused = approve(alice, copy, to_itself);
  EXPECT_EQ(refused.status(), 409u) << refused.body();
  json::object to_nothing = approval(alice, copy, "duplicate");
  to_nothing["duplicate_of"] = "99999";
  EXPECT_EQ(approve(alice, copy, to_nothing).status(), 404u);
  EXPECT_EQ(status_of(copy), "received");

  json::object body = approval(alice, copy, "duplicate");
  body["duplicate_of"] = std::to_string(original);
  Response moved = approve(alice, copy, body);
  ASSERT_EQ(moved.status(), 200u) << moved.body();
  EXPECT_TRUE(parse(moved).at("moved").as_bool());
  EXPECT_EQ(status_of(copy), "duplicate");
  EXPECT_EQ(last_audit(),
            "alice transition received -> duplicate (1 of 1), event 2, duplicate of case " +
                std::to_string(original));
  EXPECT_EQ(review::duplicates_of(*store_, original).value(), std::vector<store::CaseId>{copy});

  // Both case pages show the link.
  Response copy_page = get(alice, "/api/staff/cases/" + std::to_string(copy));
  EXPECT_EQ(parse(copy_page).at("duplicate_of").as_int64(), original);
  Response original_page = get(alice, "/api/staff/cases/" + std::to_string(original));
  EXPECT_TRUE(parse(original_page).at("duplicate_of").is_null());
  EXPECT_EQ(parse(original_page).at("duplicates").as_array(), json::array{copy});

  // A duplicate cannot be the original of another.
  json::object chained = approval(alice, third, "duplicate");
  chained["duplicate_of"] = std::to_string(copy);
  Response chain = approve(alice, third, chained);
  EXPECT_EQ(chain.status(), 409u);
  EXPECT_NE(std::string(parse(chain).at("reason").as_string()).find("itself a duplicate"),
            std::string::npos);
  EXPECT_EQ(status_of(third), "received");
}

TEST_P(StaffCaseRoutesTest, SignedOutAndMalformedRequestsAreRefused) {
  Reviewer& alice = reviewers_["alice"];
  const store::CaseId id = first_contact();
  const std::string base = "/api/staff/cases/" + std::to_string(id);
  EXPECT_EQ(send(Method::kGet, base).status(), 401u);
  EXPECT_EQ(get(alice, "/api/staff/cases/0").status(), 404u);
  EXPECT_EQ(get(alice, "/api/staff/cases/x").status(), 404u);
  EXPECT_EQ(get(alice, "/api/staff/cases/12345").status(), 404u);
  EXPECT_EQ(
      send(Method::kPost, base + "/approve", "{}",
           {{"cookie", alice.cookie}, {"x-csrf-token", alice.csrf}, {"content-type", "text/plain"}})
          .status(),
      415u);
  for (const char* body : {"", "{}", R"({"from":"received","to":"triage","event":"1"})",
                           R"({"from":"received","to":"triage","event":"01","signature":""})",
                           R"({"from":"received","to":"nowhere","event":"1","signature":""})",
                           R"({"from":"received","to":"triage","event":"1","signature":"AAAA"})",
                           // duplicate_of: only for duplicate, only a case number
                           R"({"from":"received","to":"triage","event":"1","duplicate_of":"",)"
                           R"("signature":"AAAA"})"}) {
    Response r = send(Method::kPost, base + "/approve", body,
                      {{"cookie", alice.cookie},
                       {"x-csrf-token", alice.csrf},
                       {"content-type", "application/json"}});
    EXPECT_EQ(r.status(), 400u) << body;
  }
  EXPECT_EQ(status_of(id), "received");
}

INSTANTIATE_TEST_SUITE_P(Engines, StaffCaseRoutesTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::http
