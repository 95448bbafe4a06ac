// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/fair_budget_test.cpp: the sign-in budget with a fake clock: the
// rate, the burst, fair turns between keys, the waiting limit, cancel, and 0
// as "no limit".
#include "http/fair_budget.h"

#include <gtest/gtest.h>

namespace safehouse::http {
namespace {

using namespace std::chrono_literals;

class FairBudgetTest : public testing::Test {
 protected:
  FairBudget make(std::uint64_t per_minute, std::size_t max_waiting = 100) {
    return FairBudget(per_minute, max_waiting, 30s, [this] { return now_; });
  }
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(FairBudgetTest, GrantsAtTheRateAfterTheBurst) {
  FairBudget budget = make(60);  // one a second, bursts of 6
  std::vector<std::uint64_t> tickets;
  for (int i = 0; i < 8; ++i) tickets.push_back(budget.enqueue("a").value());
  int granted = 0;
  for (auto t : tickets) granted += budget.granted(t) ? 1 : 0;
  EXPECT_EQ(granted, 6);
  EXPECT_EQ(budget.waiting(), 2u);
  now_ += 1s;
  EXPECT_TRUE(budget.granted(tickets[6]));
  EXPECT_FALSE(budget.granted(tickets[7]));
  now_ += 1s;
  EXPECT_TRUE(budget.granted(tickets[7]));
  EXPECT_FALSE(budget.granted(tickets[7]));  // a grant is taken once
}

// Key "flood" queued five attempts before "other" queued one; "other" gets
// the third unit (the keys take turns), not the sixth.
TEST_F(FairBudgetTest, KeysTakeTurns) {
  FairBudget budget = make(6);  // one every 10 s, burst 1
  std::vector<std::uint64_t> flood;
  for (int i = 0; i < 5; ++i) flood.push_back(budget.enqueue("flood").value());
  const std::uint64_t other = budget.enqueue("other").value();
  EXPECT_TRUE(budget.granted(flood[0]));
  now_ += 10s;
  EXPECT_TRUE(budget.granted(flood[1]));
  EXPECT_FALSE(budget.granted(other));
  now_ += 10s;
  EXPECT_TRUE(budget.granted(other));
  EXPECT_FALSE(budget.granted(flood[2]));
  now_ += 10s;
  EXPECT_TRUE(budget.granted(flood[2]));
}

TEST_F(FairBudgetTest, WaitingIsBoundedAndCancelLeaves) {
  FairBudget budget = make(1, 2);
  const auto first = budget.enqueue("a").value();  // granted from the burst
  const auto second = budget.enqueue("a").value();
  const auto third = budget.enqueue("b").value();
  EXPECT_FALSE(budget.enqueue("c").has_value());  // two wait already
  budget.cancel(second);
  EXPECT_EQ(budget.waiting(), 1u);
  EXPECT_TRUE(budget.granted(first));
  now_ += 60s;
  EXPECT_TRUE(budget.granted(third));  // the cancelled one never gets a unit
  EXPECT_FALSE(budget.granted(second));
  EXPECT_EQ(budget.waiting(), 0u);
}

TEST_F(FairBudgetTest, ZeroMeansNoLimit) {
  FairBudget budget = make(0, 0);
  EXPECT_TRUE(budget.unlimited());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(budget.granted(budget.enqueue("a").value()));
}

}  // namespace
}  // namespace safehouse::http
