// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/session_store_test.cpp: tokens, idle expiry with a fake clock,
// rotation, the session cap, the per-owner cap, a given CSRF token and the
// CSRF comparison.
#include "http/session_store.h"

#include <gtest/gtest.h>

#include <set>

namespace safehouse::http {
namespace {

using namespace std::chrono_literals;

class FakeClock {
 public:
  std::chrono::steady_clock::time_point now() const { return now_; }
  void advance(std::chrono::steady_clock::duration by) { now_ += by; }
  SessionStore::Clock clock() {
    return [this] { return now(); };
  }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

class Codename : public SessionState {
 public:
  explicit Codename(std::string words) : words(std::move(words)) {}
  std::string words;
};

TEST(SessionStore, TokensAreRandomHex) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto session = store.create();
    ASSERT_TRUE(session);
    EXPECT_EQ(session->token.size(), 64u);
    EXPECT_EQ(session->csrf_token.size(), 64u);
    EXPECT_EQ(session->token.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(session->token, session->csrf_token);
    EXPECT_TRUE(seen.insert(session->token).second);
  }
  EXPECT_EQ(store.size(), 50u);
}

TEST(SessionStore, FindRefreshesIdleTime) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  auto session = store.create(std::make_shared<Codename>("river stone"));
  ASSERT_TRUE(session);
  clock.advance(10min);
  auto found = store.find(session->token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->csrf_token, session->csrf_token);
  EXPECT_EQ(dynamic_cast<Codename&>(*found->state).words, "river stone");
  clock.advance(10min);  // 20 min after creation, 10 after the last use
  EXPECT_TRUE(store.find(session->token));
}

TEST(SessionStore, ExpiredSessionIsRemoved) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  auto session = store.create();
  ASSERT_TRUE(session);
  clock.advance(15min);
  EXPECT_FALSE(store.find(session->token));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.find("unknown"));
}

TEST(SessionStore, SweepRemovesOnlyExpired) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  auto old_session = store.create();
  clock.advance(10min);
  auto new_session = store.create();
  clock.advance(6min);
  EXPECT_EQ(store.sweep(), 1u);
  EXPECT_FALSE(store.find(old_session->token));
  EXPECT_TRUE(store.find(new_session->token));
}

TEST(SessionStore, TrafficSweepsOtherExpiredSessions) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  auto weak_state = std::weak_ptr<SessionState>();
  {
    auto session = store.create(std::make_shared<Codename>("secret"));
    ASSERT_TRUE(session);
    weak_state = session->state;
  }
  clock.advance(16min);
  EXPECT_FALSE(weak_state.expired());  // nothing has touched the store yet
  ASSERT_TRUE(store.create());         // another visitor's request
  EXPECT_TRUE(weak_state.expired());   // the expired session's state is gone
  EXPECT_EQ(store.size(), 1u);
}

TEST(SessionStore, DestroyAndSetState) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  auto session = store.create();
  ASSERT_TRUE(session);
  EXPECT_EQ(store.find(session->token)->state, nullptr);
  EXPECT_TRUE(store.set_state(session->token, std::make_shared<Codename>("a")));
  EXPECT_NE(store.find(session->token)->state, nullptr);
  EXPECT_TRUE(store.destroy(session->token));
  EXPECT_FALSE(store.destroy(session->token));
  EXPECT_FALSE(store.find(session->token));
  EXPECT_FALSE(store.set_state(session->token, nullptr));
}

TEST(SessionStore, RotateIssuesNewTokensKeepsState) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  auto session = store.create(std::make_shared<Codename>("kept"));
  ASSERT_TRUE(session);
  auto rotated = store.rotate(session->token);
  ASSERT_TRUE(rotated);
  EXPECT_NE(rotated->token, session->token);
  EXPECT_NE(rotated->csrf_token, session->csrf_token);
  EXPECT_FALSE(store.find(session->token));
  auto found = store.find(rotated->token);
  ASSERT_TRUE(found);
  EXPECT_EQ(dynamic_cast<Codename&>(*found->state).words, "kept");
  clock.advance(15min);
  EXPECT_FALSE(store.rotate(rotated->token));
}

TEST(SessionStore, CapRefusesFloodButSweepsFirst) {
  FakeClock clock;
  SessionStore store(15min, clock.clock(), 2);
  ASSERT_TRUE(store.create());
  ASSERT_TRUE(store.create());
  auto refused = store.create();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  clock.advance(15min);
  EXPECT_TRUE(store.create());
}

TEST(SessionStore, OwnerKeepsAtMostItsShareOldestGoesFirst) {
  FakeClock clock;
  SessionStore store(15min, clock.clock(), 100);
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < SessionStore::kMaxSessionsPerOwner; ++i) {
    tokens.push_back(store.create(nullptr, {}, "source-a").value().token);
    clock.advance(1s);
  }
  ASSERT_TRUE(store.find(tokens[0]));  // now the most recently used
  clock.advance(1s);
  const auto other = store.create(nullptr, {}, "source-b").value();
  const auto newest = store.create(nullptr, {}, "source-a").value();
  EXPECT_EQ(store.size(), SessionStore::kMaxSessionsPerOwner + 1);
  EXPECT_TRUE(store.find(tokens[0]));
  EXPECT_FALSE(store.find(tokens[1]));  // least recently used of source-a
  EXPECT_TRUE(store.find(newest.token));
  EXPECT_TRUE(store.find(other.token));
  // Sessions without an owner are not limited this way.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.create());
}

TEST(SessionStore, CreateKeepsAGivenCsrfToken) {
  FakeClock clock;
  SessionStore store(15min, clock.clock());
  const std::string given(64, 'c');
  auto session = store.create(nullptr, given);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->csrf_token, given);
  EXPECT_EQ(store.find(session->token)->csrf_token, given);
}

TEST(Csrf, ComparesExactly) {
  EXPECT_TRUE(csrf_matches("abcdef", "abcdef"));
  EXPECT_FALSE(csrf_matches("abcdef", "abcdeg"));
  EXPECT_FALSE(csrf_matches("abcdef", "abcde"));
  EXPECT_FALSE(csrf_matches("abcdef", ""));
  EXPECT_FALSE(csrf_matches("", ""));
}

}  // namespace
}  // namespace safehouse::http
