// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/recipient_set_test.cpp: LiveRecipientSet reloads at most once
// per max_age, keeps the snapshot of an unchanged set, hands out a new one
// when the set changes (the old one stays valid for whoever holds it), and
// returns a failed or empty load as an error, retried at the next call.
// (The running server following a change: integration.recipients.set.)
#include "intake/recipient_set.h"

#include <gtest/gtest.h>

#include <vector>

namespace safehouse::intake {
namespace {

using namespace std::chrono_literals;

TEST(LiveRecipientSet, FollowsTheLoaderAtMostOncePerMaxAge) {
  const auto a = age::X25519Identity::generate().recipient();
  const auto b = age::X25519Identity::generate().recipient();
  std::vector<age::X25519Recipient> stored{a};
  int loads = 0;
  bool fail = false;
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  LiveRecipientSet live(
      [&]() -> Result<std::vector<age::X25519Recipient>> {
        ++loads;
        if (fail) return Error(ErrorCode::kUnavailable, "database down");
        return stored;
      },
      1s, [&] { return now; });

  auto first = live.current();
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)->strings(), std::vector<std::string>{a.to_string()});
  stored.push_back(b);
  now += 500ms;
  auto cached = live.current();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->get(), first->get());  // within max_age: not reloaded
  EXPECT_EQ(loads, 1);

  now += 600ms;
  auto changed = live.current();
  ASSERT_TRUE(changed);
  EXPECT_EQ(loads, 2);
  EXPECT_NE(changed->get(), first->get());
  EXPECT_EQ((*changed)->size(), 2u);
  EXPECT_EQ((*changed)->pointers().size(), 2u);
  EXPECT_EQ((*first)->size(), 1u);  // the old snapshot is untouched

  now += 2s;
  auto same = live.current();
  ASSERT_TRUE(same);
  EXPECT_EQ(same->get(), changed->get());  // reloaded, unchanged: same snapshot

  fail = true;
  now += 2s;
  auto failed = live.current();
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("database down"), std::string::npos);
  fail = false;
  stored.clear();
  auto empty = live.current();
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), ErrorCode::kMalformed);
  stored.push_back(b);
  auto back = live.current();
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)->strings(), std::vector<std::string>{b.to_string()});
}

}  // namespace
}  // namespace safehouse::intake
